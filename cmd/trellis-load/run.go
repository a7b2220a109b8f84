package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Phase is the outcome of one attack, or of the slices of one attack.
type Phase struct {
	Name     string
	Rate     int // requested requests/s; 0: as fast as Workers allow
	Total    *Stats
	ByKind   map[Kind]*Stats
	Trivial  bool
	RSSPeak  int64         // bytes, sampled during the phase; 0 when unknown
	Duration time.Duration // time spent attacking, summed over the slices
	// ServerCPU is the CPU time the server process (--pid) spent during
	// the phase, 0 when unknown: per request it does not depend on what
	// else the machine runs.
	ServerCPU time.Duration
	// Baseline is the trivial handler measured in slices taking turns with
	// this phase's, so that both saw the same machine; nil for phases
	// compared with the run's first trivial measurement.
	Baseline *Phase
}

func newPhase(name string, rate int, trivial bool) *Phase {
	return &Phase{Name: name, Rate: rate, Total: newStats(), ByKind: map[Kind]*Stats{}, Trivial: trivial}
}

// finish closes the figures once every slice ran.
func (p *Phase) finish() {
	p.Total.close(p.Duration)
	for _, s := range p.ByKind {
		s.close(p.Duration)
	}
}

// Stats are the figures of a set of results.
type Stats struct {
	m      vegeta.Metrics
	Errors map[int]int // by status; 0: no response
	ok     uint64
	active time.Duration // time the results were made in
}

func newStats() *Stats { return &Stats{Errors: map[int]int{}} }

func (s *Stats) add(r *vegeta.Result, ok func(code int) bool) {
	s.m.Add(r)
	if ok(int(r.Code)) {
		s.ok++
	} else {
		s.Errors[int(r.Code)]++
	}
}

func (s *Stats) close(active time.Duration) {
	s.m.Close()
	s.active = active
}

// Requests, Throughput (successful requests/s) and latency quantiles.
func (s *Stats) Requests() uint64 { return s.m.Requests }
func (s *Stats) Throughput() float64 {
	// Counted over the time spent attacking, not from the first result to
	// the last, which would count the other slices' turns as idle.
	if s.active > 0 {
		return float64(s.ok) / s.active.Seconds()
	}
	return s.m.Throughput
}
func (s *Stats) Quantile(q float64) time.Duration { return s.m.Latencies.Quantile(q) }
func (s *Stats) Max() time.Duration               { return s.m.Latencies.Max }

// ErrorCount is the number of requests without the expected status.
func (s *Stats) ErrorCount() int {
	n := 0
	for _, c := range s.Errors {
		n += c
	}
	return n
}

// Report is the whole run.
type Report struct {
	Target     string
	Users      int
	Workers    int
	Phases     []*Phase
	RSSBefore  int64
	RSSAfter   int64
	RSSPeak    int64
	RSSHWM     int64 // VmHWM with --pid
	RSSSource  string
	FirstError string
}

// Run prepares users, measures the trivial handler and runs the phases.
func Run(ctx context.Context, c Config, log io.Writer) (*Report, error) {
	base := strings.TrimRight(c.Target, "/")
	client := &http.Client{Timeout: c.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	fmt.Fprintf(log, "preparing %d signed-in people on %s ...\n", c.Users, base)
	users, err := PrepareUsers(ctx, c.DB, base, c.Users, client)
	if err != nil {
		return nil, err
	}
	rep := &Report{Target: base, Users: len(users), Workers: c.Workers}
	mem := newMemReader(c.PID, base, client)
	rep.RSSSource = mem.source()
	rep.RSSBefore, _ = mem.read()

	trivialURL, stopTrivial, err := startTrivial()
	if err != nil {
		return rep, err
	}
	defer stopTrivial()
	trivial := func(t *vegeta.Target) error {
		*t = vegeta.Target{Method: http.MethodGet, URL: trivialURL}
		return nil
	}
	// measure attacks for d, adding to p.
	measure := func(p *Phase, tr vegeta.Targeter, d time.Duration) error {
		cpu0, cpuErr := procCPU(c.PID)
		attack(ctx, p, tr, d, c, rep)
		if cpu1, err := procCPU(c.PID); err == nil && cpuErr == nil && !p.Trivial {
			p.ServerCPU += cpu1 - cpu0
		}
		return ctx.Err()
	}
	sampled := func(p *Phase, run func() error) error {
		sampler := mem.sample(250 * time.Millisecond)
		err := run()
		p.RSSPeak = sampler.stop()
		rep.RSSPeak = max(rep.RSSPeak, p.RSSPeak)
		return err
	}
	phase := func(name string, tr vegeta.Targeter, rate int, isTrivial bool) (*Phase, error) {
		fmt.Fprintf(log, "%s: %s at %s for %s ...\n", time.Now().Format("15:04:05"), name, rateLabel(rate), c.Duration)
		p := newPhase(name, rate, isTrivial)
		var err error
		if isTrivial {
			err = measure(p, tr, c.Duration)
		} else {
			err = sampled(p, func() error { return measure(p, tr, c.Duration) })
		}
		p.finish()
		rep.Phases = append(rep.Phases, p)
		return p, err
	}
	// alternating measures a phase at maximum rate and the trivial handler
	// in turns, slice by slice: whatever else the machine runs weighs on
	// both alike, and the ratio of the two holds.
	alternating := func(name string, tr vegeta.Targeter) (*Phase, error) {
		rounds := min(4, max(1, int(c.Duration/(2*time.Second))))
		slice := c.Duration / time.Duration(rounds)
		fmt.Fprintf(log, "%s: %s at maximum rate and the trivial handler, taking turns in %d slices of %s each ...\n",
			time.Now().Format("15:04:05"), name, rounds, slice)
		base := newPhase("trivial handler, taking turns with "+name, 0, true)
		p := newPhase(name, 0, false)
		p.Baseline = base
		err := sampled(p, func() error {
			for range rounds {
				if err := measure(base, trivial, slice); err != nil {
					return err
				}
				if err := measure(p, tr, slice); err != nil {
					return err
				}
			}
			return nil
		})
		base.finish()
		p.finish()
		rep.Phases = append(rep.Phases, base, p)
		return p, err
	}

	mixTr := NewMix(base, users, DefaultMix, c.Seed).Targeter()
	if c.Rate > 0 {
		if _, err := phase("trivial handler", trivial, 0, true); err != nil {
			return rep, err
		}
		if _, err := phase("mix", mixTr, c.Rate, false); err != nil {
			return rep, err
		}
	} else {
		top, err := alternating("mix, maximum", mixTr)
		if err != nil {
			return rep, err
		}
		half := max(int(top.Total.Throughput()/2), 1)
		if _, err := phase("trivial handler, same rate", trivial, half, true); err != nil {
			return rep, err
		}
		if _, err := phase("mix, half of maximum", mixTr, half, false); err != nil {
			return rep, err
		}
		if _, err := alternating("API reads, maximum", NewMix(base, users, APIReadsOnly, c.Seed+1).Targeter()); err != nil {
			return rep, err
		}
	}
	rep.RSSAfter, _ = mem.read()
	rep.RSSHWM = mem.hwm()
	return rep, nil
}

// attack adds to p the results of one attack for d: at p.Rate requests/s,
// or as fast as c.Workers concurrent requests go when the rate is 0; at
// most c.MaxRequests requests.
func attack(ctx context.Context, p *Phase, tr vegeta.Targeter, d time.Duration, c Config, rep *Report) {
	opts := []func(*vegeta.Attacker){
		vegeta.Timeout(c.Timeout), vegeta.KeepAlive(true), vegeta.Redirects(vegeta.NoFollow),
		vegeta.MaxBody(512), vegeta.Connections(c.Workers), vegeta.HTTP2(false),
	}
	if p.Rate == 0 {
		opts = append(opts, vegeta.Workers(uint64(c.Workers)), vegeta.MaxWorkers(uint64(c.Workers)))
	} else {
		opts = append(opts, vegeta.Workers(uint64(min(c.Workers, 8))), vegeta.MaxWorkers(uint64(4*c.Workers)))
	}
	atk := vegeta.NewAttacker(opts...)
	pacer := boundedPacer{inner: vegeta.Rate{Freq: p.Rate, Per: time.Second}, max: c.MaxRequests}
	ok := func(code int) bool { return code == http.StatusOK || code == http.StatusCreated }
	start := time.Now()
	stopped := false
	for r := range atk.Attack(tr, pacer, d, p.Name) {
		if ctx.Err() != nil && !stopped {
			atk.Stop()
			stopped = true
		}
		p.Total.add(r, ok)
		if !p.Trivial {
			k := Classify(r.Method, r.URL)
			s := p.ByKind[k]
			if s == nil {
				s = newStats()
				p.ByKind[k] = s
			}
			s.add(r, ok)
		}
		if !ok(int(r.Code)) && rep.FirstError == "" {
			rep.FirstError = fmt.Sprintf("%s %s: %d %s %s", r.Method, r.URL, r.Code, r.Error, strings.TrimSpace(string(r.Body)))
		}
	}
	p.Duration += time.Since(start)
}

// boundedPacer stops after max hits.
type boundedPacer struct {
	inner vegeta.Pacer
	max   uint64
}

func (b boundedPacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if hits >= b.max {
		return 0, true
	}
	return b.inner.Pace(elapsed, hits)
}

func (b boundedPacer) Rate(elapsed time.Duration) float64 { return b.inner.Rate(elapsed) }

// startTrivial serves 200 "ok" on a loopback port of this process, the
// yardstick every figure is divided by.
func startTrivial() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("ok"))
	}), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/", func() { srv.Close() }, nil
}

// memReader reads the server's resident memory: VmRSS of --pid from
// /proc, else process_resident_memory_bytes from its /metrics (which the
// server shows to loopback clients).
type memReader struct {
	pid    int
	base   string
	client *http.Client
}

func newMemReader(pid int, base string, client *http.Client) *memReader {
	return &memReader{pid: pid, base: base, client: client}
}

func (m *memReader) source() string {
	if m.pid > 0 {
		return fmt.Sprintf("/proc/%d/status VmRSS", m.pid)
	}
	return m.base + "/metrics process_resident_memory_bytes"
}

func (m *memReader) read() (int64, error) {
	if m.pid > 0 {
		return procStatus(m.pid, "VmRSS:")
	}
	resp, err := m.client.Get(m.base + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "process_resident_memory_bytes "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int64(f), err
		}
	}
	return 0, fmt.Errorf("%s/metrics has no process_resident_memory_bytes (%s)", m.base, resp.Status)
}

// hwm is the peak resident memory of --pid since it started, or 0.
func (m *memReader) hwm() int64 {
	if m.pid <= 0 {
		return 0
	}
	v, _ := procStatus(m.pid, "VmHWM:")
	return v
}

// procCPU is the user and system CPU time of a process so far, from
// /proc/<pid>/stat (in clock ticks of 1/100 s).
func procCPU(pid int) (time.Duration, error) {
	if pid <= 0 {
		return 0, fmt.Errorf("no --pid")
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	var ticks int64
	for _, v := range f[11:13] { // utime, stime: fields 14 and 15
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}

type memSampler struct {
	done chan struct{}
	wg   sync.WaitGroup
	peak int64
}

// sample reads the resident memory every period until stop, which
// returns the highest reading.
func (m *memReader) sample(period time.Duration) *memSampler {
	s := &memSampler{done: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			if v, err := m.read(); err == nil {
				s.peak = max(s.peak, v)
			}
			select {
			case <-s.done:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *memSampler) stop() int64 {
	close(s.done)
	s.wg.Wait()
	return s.peak
}

func rateLabel(rate int) string {
	if rate == 0 {
		return "maximum rate"
	}
	return strconv.Itoa(rate) + " req/s"
}

// Print writes the table of the phases, each row's throughput also as a
// ratio to the trivial handler's maximum (the one measured in turns with
// the phase, else the run's first), and the resident memory.
func (r *Report) Print(w io.Writer) {
	var first float64
	for _, p := range r.Phases {
		if p.Trivial && p.Rate == 0 {
			first = p.Total.Throughput()
			break
		}
	}
	fmt.Fprintf(w, "\ntarget %s, %d signed-in people, %d concurrent requests at maximum rate\n\n", r.Target, r.Users, r.Workers)
	fmt.Fprintf(w, "| phase | requests | rate | throughput | p50 | p95 | p99 | max | errors | x trivial | server CPU/request |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|---|---|---|\n")
	row := func(name string, rate int, s *Stats, cpu time.Duration, trivialMax float64) { // rate < 0: a part of a phase
		ratio := "-"
		if trivialMax > 0 {
			ratio = fmt.Sprintf("%.3f", s.Throughput()/trivialMax)
		}
		rl := "max"
		switch {
		case rate > 0:
			rl = strconv.Itoa(rate)
		case rate < 0:
			rl = ""
		}
		perReq := "-"
		if cpu > 0 && s.Requests() > 0 {
			perReq = ms(cpu / time.Duration(s.Requests()))
		}
		fmt.Fprintf(w, "| %s | %d | %s | %.0f/s | %s | %s | %s | %s | %s | %s | %s |\n", name, s.Requests(), rl, s.Throughput(),
			ms(s.Quantile(0.50)), ms(s.Quantile(0.95)), ms(s.Quantile(0.99)), ms(s.Max()), errorsLabel(s), ratio, perReq)
	}
	for _, p := range r.Phases {
		trivialMax := first
		switch {
		case p.Baseline != nil:
			trivialMax = p.Baseline.Total.Throughput()
		case p.Trivial && p.Rate == 0:
			trivialMax = p.Total.Throughput()
		}
		row(p.Name, p.Rate, p.Total, p.ServerCPU, trivialMax)
		for _, k := range Kinds {
			if s := p.ByKind[k]; s != nil && len(p.ByKind) > 1 {
				row("  "+string(k), -1, s, 0, trivialMax)
			}
		}
	}
	fmt.Fprintf(w, "\nserver resident memory (%s): before %s, after %s, highest sampled during load %s", r.RSSSource, mb(r.RSSBefore), mb(r.RSSAfter), mb(r.RSSPeak))
	if r.RSSHWM > 0 {
		fmt.Fprintf(w, ", peak since start (VmHWM) %s", mb(r.RSSHWM))
	}
	fmt.Fprintln(w)
	if r.FirstError != "" {
		fmt.Fprintf(w, "first error: %s\n", r.FirstError)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func mb(b int64) string {
	if b <= 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.0f MB", float64(b)/1e6)
}

func errorsLabel(s *Stats) string {
	if len(s.Errors) == 0 {
		return "0"
	}
	codes := make([]int, 0, len(s.Errors))
	for c := range s.Errors {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	parts := make([]string, len(codes))
	for i, c := range codes {
		label := strconv.Itoa(c)
		if c == 0 {
			label = "no response"
		}
		parts[i] = fmt.Sprintf("%d x %s", s.Errors[c], label)
	}
	return strings.Join(parts, ", ")
}
