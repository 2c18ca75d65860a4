package doccheck

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoRoot is the repository's top directory, seen from this package.
const repoRoot = "../.."

// goFence opens and closes a Go block in Markdown.
var goFence = regexp.MustCompile("(?s)```go\n(.*?)```")

// The ways a page cites a file of the repository: a relative link, or a
// path in code type that names a file.
var (
	relativeLink = regexp.MustCompile(`\]\(([^)#\s]+)(?:#[^)]*)?\)`)
	codePath     = regexp.MustCompile("`([A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+\\.(?:go|md|json|xml|mod))`")
)

// snippet is one Go block of a Markdown file.
type snippet struct {
	file  string   // the Markdown file, relative to the repository
	line  int      // the line of its opening fence
	lines []string // its lines, trimmed, without blank lines or gap marks
}

// goFile is one Go file the build compiles.
type goFile struct {
	path  string
	lines []string
}

func TestSnippetsAreCompiled(t *testing.T) {
	snippets, sources := scan(t)
	if len(snippets) == 0 {
		t.Fatal("no Go snippet found in the repository's Markdown: is repoRoot right?")
	}
	for _, s := range snippets {
		found, best, bestN := false, "", -1
		for _, f := range sources {
			n := matched(s.lines, f.lines)
			if n == len(s.lines) {
				found = true
				break
			}
			if n > bestN {
				best, bestN = f.path, n
			}
		}
		if !found {
			t.Errorf("%s:%d: the Go snippet is not in any compiled Go file; closest is %s, which has its first %d of %d lines, up to before %q",
				s.file, s.line, best, bestN, len(s.lines), s.lines[bestN])
		}
	}
}

// TestCitedFilesExist holds the pages to citing only what the repository
// has: every relative link, and every file path written in code type
// (`providers/onsip/doc_test.go`), names a file or folder that exists,
// seen from the page or from the repository's top.
func TestCitedFilesExist(t *testing.T) {
	for _, page := range repoFiles(t, ".md") {
		for _, cited := range citations(page.text) {
			fromPage := filepath.Join(repoRoot, filepath.Dir(page.path), cited)
			fromTop := filepath.Join(repoRoot, cited)
			if !exists(fromPage) && !exists(fromTop) {
				t.Errorf("%s cites %s, which is not in the repository", page.path, cited)
			}
		}
	}
}

func TestCitations(t *testing.T) {
	text := "See [the guide](docs/guide.md#top), [Go](https://go.dev/), [here](#anchor),\n" +
		"`auth/example_test.go`, `go test ./...`, `Config.Store` and `x.go`."
	got := strings.Join(citations(text), " ")
	if got != "docs/guide.md auth/example_test.go" {
		t.Errorf("citations = %q, want the relative link and the path in code type", got)
	}
}

// citations returns the repository paths a page cites.
func citations(text string) []string {
	var out []string
	for _, m := range relativeLink.FindAllStringSubmatch(text, -1) {
		if !strings.Contains(m[1], "://") && !strings.HasPrefix(m[1], "mailto:") {
			out = append(out, m[1])
		}
	}
	for _, m := range codePath.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestMatched holds the rule itself: in order, gaps allowed, nothing added.
func TestMatched(t *testing.T) {
	source := []string{"package x", "func f() {", "a := 1", "b := 2", "fmt.Println(a, b)", "}"}
	for _, c := range []struct {
		snippet []string
		want    int
	}{
		{[]string{"a := 1", "fmt.Println(a, b)"}, 2},
		{[]string{"b := 2", "a := 1"}, 1},
		{[]string{"a := 1", "c := 3", "fmt.Println(a, b)"}, 1},
		{[]string{"a := 10"}, 0},
	} {
		if got := matched(c.snippet, source); got != c.want {
			t.Errorf("matched(%q) = %d, want %d", c.snippet, got, c.want)
		}
	}
	var got []string
	for _, s := range snippetsOf("x.md", "text\n```go\n\ta := 1\n\n\t...\n\t// ...\n\tb := 2\n```\n```sh\nmake\n```\n") {
		got = append(got, s.lines...)
	}
	if strings.Join(got, "|") != "a := 1|b := 2" {
		t.Errorf("snippet lines = %q, want the two statements", got)
	}
}

// matched reports how many of the snippet's lines, from the first, appear
// in order in source.
func matched(snippet, source []string) int {
	n := 0
	for _, l := range source {
		if n < len(snippet) && l == snippet[n] {
			n++
		}
	}
	return n
}

// scan reads every Markdown file's Go snippets and every compiled Go file.
func scan(t *testing.T) ([]snippet, []goFile) {
	t.Helper()
	var snippets []snippet
	var sources []goFile
	for _, f := range repoFiles(t, ".md") {
		snippets = append(snippets, snippetsOf(f.path, f.text)...)
	}
	for _, f := range repoFiles(t, ".go") {
		if !strings.Contains(f.text, "//go:build ignore") {
			sources = append(sources, goFile{f.path, trimmed(f.text)})
		}
	}
	return snippets, sources
}

// repoFile is a file of the repository: its path from the top, with
// slashes, and its text.
type repoFile struct {
	path, text string
}

// repoFiles returns the repository's files whose names end in ext,
// leaving out testdata and dot directories, which are never built.
func repoFiles(t *testing.T, ext string) []repoFile {
	t.Helper()
	var out []repoFile
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != repoRoot && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if filepath.Ext(path) != ext {
			return nil
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(repoRoot, path)
		if err != nil {
			return err
		}
		out = append(out, repoFile{filepath.ToSlash(rel), string(text)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// snippetsOf returns the Go blocks of one Markdown file.
func snippetsOf(file, text string) []snippet {
	var out []snippet
	for _, m := range goFence.FindAllStringSubmatchIndex(text, -1) {
		out = append(out, snippet{
			file:  file,
			line:  strings.Count(text[:m[0]], "\n") + 1,
			lines: trimmed(text[m[2]:m[3]]),
		})
	}
	return out
}

// trimmed returns text's lines without their indentation, leaving out
// blank lines and gap marks.
func trimmed(text string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || l == "..." || l == "// ..." {
			continue
		}
		out = append(out, l)
	}
	return out
}
