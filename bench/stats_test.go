package bench

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestHistogramPercentilesMatchExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dists := map[string]func() time.Duration{
		"uniform 0-10ms": func() time.Duration { return time.Duration(rng.Int64N(int64(10 * time.Millisecond))) },
		"exponential 2ms": func() time.Duration {
			return time.Duration(rng.ExpFloat64() * float64(2*time.Millisecond))
		},
		"bimodal 1ms/80ms": func() time.Duration {
			if rng.IntN(100) < 97 {
				return time.Millisecond + time.Duration(rng.Int64N(int64(100*time.Microsecond)))
			}
			return 80*time.Millisecond + time.Duration(rng.Int64N(int64(time.Millisecond)))
		},
		"tiny values": func() time.Duration { return time.Duration(rng.Int64N(200)) },
	}
	for name, gen := range dists {
		t.Run(name, func(t *testing.T) {
			var h Histogram
			values := make([]time.Duration, 20000)
			for i := range values {
				values[i] = gen()
				h.Record(values[i])
			}
			for _, p := range []float64{1, 50, 90, 95, 99, 99.9, 100} {
				got, want := h.Percentile(p), ExactPercentile(values, p)
				// Buckets are 1/64 wide; the answer is the bucket's middle.
				if diff := got - want; diff < -want/100-1 || diff > want/100+1 {
					t.Errorf("p%v = %v, want %v (±1%%)", p, got, want)
				}
			}
			if h.Min() != ExactPercentile(values, 0) || h.Max() != ExactPercentile(values, 100) {
				t.Errorf("min, max = %v, %v; want %v, %v", h.Min(), h.Max(), ExactPercentile(values, 0), ExactPercentile(values, 100))
			}
			if h.Count() != uint64(len(values)) {
				t.Errorf("count = %d, want %d", h.Count(), len(values))
			}
		})
	}
}

func TestExactPercentileNearestRank(t *testing.T) {
	v := func() []time.Duration { return []time.Duration{15, 20, 35, 40, 50} }
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{5, 15}, {30, 20}, {40, 20}, {50, 35}, {100, 50}, {0, 15}} {
		if got := ExactPercentile(v(), c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	if got := ExactPercentile(nil, 50); got != 0 {
		t.Errorf("p50 of nothing = %v, want 0", got)
	}
}

func TestHistogramSmallCounts(t *testing.T) {
	var h Histogram
	if h.Percentile(99) != 0 || h.Mean() != 0 {
		t.Fatal("an empty histogram must answer 0")
	}
	h.Record(3 * time.Millisecond)
	for _, p := range []float64{1, 50, 99, 100} {
		if got := h.Percentile(p); got != 3*time.Millisecond {
			t.Errorf("one value: p%v = %v, want 3ms (clamped to min/max)", p, got)
		}
	}
	// Two values: p50 is the first, p51 and above the second (nearest rank).
	h = Histogram{}
	h.Record(time.Millisecond)
	h.Record(time.Second)
	if got := h.Percentile(50); got < time.Millisecond || got > time.Millisecond+time.Millisecond/100 {
		t.Errorf("p50 = %v, want 1ms (+1%%: a bucket's middle)", got)
	}
	if got := h.Percentile(51); got != time.Second {
		t.Errorf("p51 = %v, want 1s", got)
	}
	h.Record(-5) // a clock step: counted as 0
	if h.Min() != 0 {
		t.Errorf("min = %v, want 0", h.Min())
	}
}

func TestHistogramMerge(t *testing.T) {
	var a, b, all Histogram
	for i := 1; i <= 1000; i++ {
		d := time.Duration(i) * time.Microsecond
		all.Record(d)
		if i%2 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	a.Merge(&b)
	a.Merge(nil)
	if a.Summary() != all.Summary() {
		t.Errorf("merged %+v, want %+v", a.Summary(), all.Summary())
	}
}

func TestBucketsCoverValues(t *testing.T) {
	for _, v := range []int64{0, 1, 63, 64, 65, 127, 128, 1000, 1 << 20, 1<<20 + 12345, 1 << 40, 1<<42 - 1} {
		lo, hi := bucketRange(bucketOf(v))
		if v < lo || v > hi {
			t.Errorf("%d falls in bucket [%d, %d]", v, lo, hi)
		}
		if hi-lo > lo/64 {
			t.Errorf("bucket of %d is [%d, %d]: wider than 1/64", v, lo, hi)
		}
	}
	if got := bucketOf(1 << 50); got != histBuckets-1 {
		t.Errorf("huge value: bucket %d, want the last (%d)", got, histBuckets-1)
	}
}
