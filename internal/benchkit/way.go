package benchkit

import (
	"testing"
	"time"
)

// Way is one way of doing a benchmark's work: Do does it once and fails b
// when it goes wrong.
type Way struct {
	Name string
	Do   func(b *testing.B)
}

// EachWay runs each way as a sub-benchmark of its own, reporting its
// allocations and, where the platform tells, the process's CPU time per
// operation ("cpu-ns/op", client and server alike), which a shared machine
// moves far less than the time on the clock.
func EachWay(b *testing.B, ways ...Way) {
	for _, w := range ways {
		b.Run(w.Name, func(b *testing.B) {
			b.ReportAllocs()
			cpuStart, cpuOK := processCPU()
			for b.Loop() {
				w.Do(b)
			}
			if cpuEnd, ok := processCPU(); ok && cpuOK {
				b.ReportMetric(float64(cpuEnd-cpuStart)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}

// Paired runs the ways taking turns: every iteration of b's loop does each
// once, in an order that rotates, so that a machine whose speed changes
// during the run slows them all alike. It reports each way's time over the
// first's, as "<name>-x-<first's name>": ratios that hold where absolute
// figures drift. Give the first way twice, under another name, to see the
// method's own noise: the spread two identical ways show.
func Paired(b *testing.B, ways ...Way) {
	spent := make([]time.Duration, len(ways))
	turn := 0
	for b.Loop() {
		for k := range ways {
			w := (turn + k) % len(ways)
			start := time.Now()
			ways[w].Do(b)
			spent[w] += time.Since(start)
		}
		turn++
	}
	for w := 1; w < len(ways); w++ {
		b.ReportMetric(float64(spent[w])/float64(spent[0]), ways[w].Name+"-x-"+ways[0].Name)
	}
}
