package provider

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// CheckOptions refuses any option in opts (Config.Options) whose name is
// not among known, with an error that names it and lists the names the
// provider knows, or says it takes none.
func CheckOptions(opts map[string]string, known ...string) error {
	var unknown []string
	for name := range opts {
		if !slices.Contains(known, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	if len(known) == 0 {
		return fmt.Errorf("unknown option %s in Config.Options: this provider takes no options", quoteAll(unknown))
	}
	sorted := slices.Sorted(slices.Values(known))
	return fmt.Errorf("unknown option %s in Config.Options; known: %s", quoteAll(unknown), quoteAll(sorted))
}

// BoolOption reads the option name of opts as a boolean ("true", "false",
// "1", "0", … as strconv.ParseBool takes them); absent means false.
func BoolOption(opts map[string]string, name string) (bool, error) {
	v, ok := opts[name]
	if !ok {
		return false, nil
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return false, fmt.Errorf("option %q in Config.Options is %q: want true or false", name, v)
	}
	return b, nil
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}
