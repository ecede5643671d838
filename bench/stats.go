package bench

import (
	"math"
	"math/bits"
	"sort"
	"sync"
	"time"
)

// Histogram records durations in log-linear buckets: exact below 64 ns,
// then 64 sub-buckets per power of two, so a recorded value is known to
// within 1/64 (1.6 %) of itself, from nanoseconds to hours, in a fixed
// 2,5 k-entry array. Min, max, count and sum are exact.
//
// A Histogram is not safe for concurrent use: each goroutine records into
// its own and the results are merged with Merge.
type Histogram struct {
	counts   [histBuckets]uint64
	n        uint64
	sum      float64
	min, max int64
}

const (
	subBits     = 6
	subCount    = 1 << subBits // sub-buckets per power of two
	maxExp      = 42           // 2^42 ns ≈ 73 min; larger values are clamped
	histBuckets = subCount + (maxExp-subBits+1)*subCount
)

// bucketOf returns the bucket index of v (v ≥ 0).
func bucketOf(v int64) int {
	if v < subCount {
		return int(v)
	}
	e := bits.Len64(uint64(v)) - 1 // v in [2^e, 2^(e+1))
	if e > maxExp {
		return histBuckets - 1
	}
	sub := int(uint64(v)>>(e-subBits)) & (subCount - 1)
	return subCount + (e-subBits)*subCount + sub
}

// bucketRange returns the smallest and largest value of bucket i.
func bucketRange(i int) (lo, hi int64) {
	if i < subCount {
		return int64(i), int64(i)
	}
	e := (i-subCount)/subCount + subBits
	sub := int64((i - subCount) % subCount)
	width := int64(1) << (e - subBits)
	lo = int64(1)<<e + sub*width
	return lo, lo + width - 1
}

// Record adds one value. Negative values (a clock step) count as 0.
func (h *Histogram) Record(d time.Duration) {
	v := int64(d)
	if v < 0 {
		v = 0
	}
	h.counts[bucketOf(v)]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.n++
	h.sum += float64(v)
}

// Merge adds o's values to h.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil || o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.n += o.n
	h.sum += o.sum
}

// Count returns the number of values recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Min and Max return the exact extremes (0 when empty).
func (h *Histogram) Min() time.Duration { return time.Duration(h.min) }
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) }

// Mean returns the exact mean (0 when empty).
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// Percentile returns the p-th percentile (0 < p ≤ 100) by the nearest-rank
// method: the smallest recorded value v such that at least p % of the values
// are ≤ v. The answer is the middle of v's bucket, clamped to the exact min
// and max, so it is within 1/128 of the true nearest-rank value.
func (h *Histogram) Percentile(p float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := nearestRank(p, h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := bucketRange(i)
			v := lo + (hi-lo)/2
			return time.Duration(min(max(v, h.min), h.max))
		}
	}
	return time.Duration(h.max)
}

// nearestRank is the 1-based rank of the p-th percentile among n values.
func nearestRank(p float64, n uint64) uint64 {
	if p <= 0 {
		return 1
	}
	if p >= 100 {
		return n
	}
	r := uint64(math.Ceil(p / 100 * float64(n)))
	return min(max(r, 1), n)
}

// ExactPercentile returns the nearest-rank p-th percentile of values, which
// it sorts. It is what Histogram.Percentile approximates; tests compare them.
func ExactPercentile(values []time.Duration, p float64) time.Duration {
	if len(values) == 0 {
		return 0
	}
	sort.Slice(values, func(i, j int) bool { return values[i] < values[j] })
	return values[nearestRank(p, uint64(len(values)))-1]
}

// Latency is a latency distribution as reported: milliseconds.
type Latency struct {
	Count uint64  `json:"count"`
	Min   float64 `json:"min_ms"`
	Mean  float64 `json:"mean_ms"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P95   float64 `json:"p95_ms"`
	P99   float64 `json:"p99_ms"`
	P999  float64 `json:"p999_ms"`
	Max   float64 `json:"max_ms"`
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

// Summary returns h's figures in milliseconds.
func (h *Histogram) Summary() Latency {
	return Latency{Count: h.n, Min: ms(h.Min()), Mean: ms(h.Mean()), P50: ms(h.Percentile(50)),
		P90: ms(h.Percentile(90)), P95: ms(h.Percentile(95)), P99: ms(h.Percentile(99)),
		P999: ms(h.Percentile(99.9)), Max: ms(h.Max())}
}

// errorCounts counts errors by kind; safe for concurrent use.
type errorCounts struct {
	mu sync.Mutex
	m  map[string]int64
	// first example of each kind, to make the report actionable
	example map[string]string
}

func (e *errorCounts) add(kind, example string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.m == nil {
		e.m, e.example = map[string]int64{}, map[string]string{}
	}
	e.m[kind]++
	if _, ok := e.example[kind]; !ok && example != "" {
		if len(example) > 200 {
			example = example[:200] + "…"
		}
		e.example[kind] = example
	}
}

func (e *errorCounts) snapshot() (map[string]int64, map[string]string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m, ex := make(map[string]int64, len(e.m)), make(map[string]string, len(e.example))
	for k, v := range e.m {
		m[k] = v
	}
	for k, v := range e.example {
		ex[k] = v
	}
	return m, ex
}
