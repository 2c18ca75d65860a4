package benchkit

import (
	"testing"
	"time"
)

// TestPaired: every way runs on every turn, and the ratio of a way twice
// as slow as the first is reported under its name, near 2.
func TestPaired(t *testing.T) {
	var fast, slow int
	r := testing.Benchmark(func(b *testing.B) {
		Paired(b,
			Way{Name: "fast", Do: func(*testing.B) { fast++; spin(100 * time.Microsecond) }},
			Way{Name: "slow", Do: func(*testing.B) { slow++; spin(200 * time.Microsecond) }},
		)
	})
	if fast == 0 || fast != slow {
		t.Fatalf("fast ran %d times, slow %d", fast, slow)
	}
	ratio, ok := r.Extra["slow-x-fast"]
	if !ok || ratio < 1.3 || ratio > 3 {
		t.Errorf("slow-x-fast = %v (reported: %v), want about 2", ratio, ok)
	}
}

// TestEachWayReportsEveryWay: each way runs as a benchmark of its own.
func TestEachWayReportsEveryWay(t *testing.T) {
	ran := map[string]int{}
	testing.Benchmark(func(b *testing.B) {
		EachWay(b,
			Way{Name: "a", Do: func(*testing.B) { ran["a"]++ }},
			Way{Name: "b", Do: func(*testing.B) { ran["b"]++ }},
		)
	})
	if ran["a"] == 0 || ran["b"] == 0 {
		t.Errorf("ways run: %v", ran)
	}
}

// spin keeps the CPU busy for d: a sleep that short lasts what the
// system's timers allow, not d.
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}
