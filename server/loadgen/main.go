// Command loadgen is the sync server's load benchmark (issue 3). It starts
// the real server binary on loopback with a fresh data directory for every
// scenario of every run, registers workspaces, members and devices through
// /api/, and speaks to /sync over websockets as the app does, with a
// generated "5-year shop" of 100,000 records (1 million fields) sealed as
// the app seals them.
//
//	go run ./server/loadgen [-bin bin/pawfile] [-runs 3] [-scenario all|ingest|bootstrap|fanout|idle]
//
// The scenarios and their targets on a 2-core machine:
//
//	ingest     the shop pushed by one device in full batches, 4 in flight: ≥ 50,000 versions/s
//	bootstrap  a new device pulling the shop's heads: ≤ 3 s (and the bytes it received)
//	fanout     one edit reaching 100 other connected devices: p99 ≤ 50 ms
//	idle       server memory (VmRSS) with 1,000 idle devices connected: ≤ 100 MB
//
// Each run prints one Go benchmark line per scenario on stdout, for
// benchstat (make bench appends them to bench.txt); progress and the
// medians against the targets go to stderr. A missed target is reported,
// not an error: loadgen fails only if a scenario cannot run.
//
// It builds nothing: make bench builds bin/pawfile first. Linux only (it
// reads the server's memory from /proc).
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run() error {
	bin := flag.String("bin", "bin/pawfile", "the server binary to run")
	runs := flag.Int("runs", 3, "runs of each scenario; the summary reports medians")
	which := flag.String("scenario", "all", "all, or one of ingest, bootstrap, fanout, idle")
	flag.Parse()
	if *runs < 1 {
		return fmt.Errorf("-runs %d: want at least 1", *runs)
	}
	chosen, err := pick(*which)
	if err != nil {
		return err
	}
	path, err := filepath.Abs(*bin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("server binary: %w (build it with make bin/pawfile)", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := issue3(path)
	cfg.log = func(format string, args ...any) { fmt.Fprintf(os.Stderr, "loadgen: "+format+"\n", args...) }
	if err := raiseFileLimit(uint64(cfg.idleDevices() + cfg.receivers + 256)); err != nil {
		return err
	}
	results, err := bench(ctx, cfg, chosen, *runs, os.Stdout)
	if err != nil {
		return err
	}
	summarize(os.Stderr, cfg, chosen, results)
	return nil
}

// scenario is one measurement and its target.
type scenario struct {
	name  string
	bench func(*config) string // the benchmark's name
	run   func(context.Context, *config, *shop) ([]metric, error)
	shop  bool // whether it needs the generated shop
	goal  goal
}

// goal is a target on one metric of a scenario.
type goal struct {
	unit  string  // the metric's unit
	limit float64 // in that unit
	most  bool    // limit is a maximum; otherwise a minimum
}

var scenarios = []scenario{
	{"ingest", func(*config) string { return "BenchmarkLoadIngest" }, ingest, true, goal{"versions/s", 50000, false}},
	{"bootstrap", func(*config) string { return "BenchmarkLoadBootstrap" }, bootstrap, true, goal{"ns/op", 3e9, true}},
	{"fanout", func(c *config) string { return fmt.Sprintf("BenchmarkLoadFanout%d", c.receivers) }, fanout, true, goal{"p99-ms", 50, true}},
	{"idle", func(c *config) string { return fmt.Sprintf("BenchmarkLoadIdle%d", c.idleDevices()) }, idle, false, goal{"RSS-MB", 100, true}},
}

func pick(name string) ([]scenario, error) {
	if name == "all" {
		return scenarios, nil
	}
	for _, s := range scenarios {
		if s.name == name {
			return []scenario{s}, nil
		}
	}
	return nil, fmt.Errorf("-scenario %q: want all, ingest, bootstrap, fanout or idle", name)
}

// scenarioTimeout bounds one run of one scenario, setup included.
const scenarioTimeout = 10 * time.Minute

// bench runs each scenario runs times, writing a benchmark line per run to
// out, and returns every run's metrics by scenario name.
func bench(ctx context.Context, cfg *config, chosen []scenario, runs int, out io.Writer) (map[string][][]metric, error) {
	var sh *shop
	if slices.ContainsFunc(chosen, func(s scenario) bool { return s.shop }) {
		start := time.Now()
		var err error
		if sh, err = genShop(cfg.shop, shopDevice, cfg.seed); err != nil {
			return nil, err
		}
		bytes := 0
		for _, r := range sh.records {
			bytes += len(r.plain)
		}
		cfg.log("shop: %d records, %d fields, %.1f MB before sealing, generated in %.1f s",
			len(sh.records), sh.fields, float64(bytes)/1e6, time.Since(start).Seconds())
	}
	fmt.Fprintf(out, "goos: %s\ngoarch: %s\npkg: pawfile/server/loadgen\n", runtime.GOOS, runtime.GOARCH)
	if cpu := cpuName(); cpu != "" {
		fmt.Fprintf(out, "cpu: %s\n", cpu)
	}
	results := map[string][][]metric{}
	for r := range runs {
		for _, s := range chosen {
			cfg.log("run %d of %d: %s", r+1, runs, s.name)
			sctx, cancel := context.WithTimeout(ctx, scenarioTimeout)
			ms, err := s.run(sctx, cfg, sh)
			cancel()
			if err != nil {
				return nil, fmt.Errorf("run %d: %s: %w", r+1, s.name, err)
			}
			fmt.Fprintln(out, benchLine(s.bench(cfg), ms))
			results[s.name] = append(results[s.name], ms)
		}
	}
	return results, nil
}

// benchLine writes ms in the Go benchmark format, as one iteration.
func benchLine(name string, ms []metric) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\t1", name)
	for _, m := range ms {
		fmt.Fprintf(&b, "\t%s %s", number(m.value), m.unit)
	}
	return b.String()
}

func number(v float64) string {
	if math.Abs(v) >= 1000 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.4g", v)
}

// summarize writes each scenario's median metrics and whether the median
// meets the target.
func summarize(w io.Writer, cfg *config, chosen []scenario, results map[string][][]metric) {
	fmt.Fprintf(w, "\nmedians of %d runs (%d CPUs):\n", len(results[chosen[0].name]), runtime.NumCPU())
	for _, s := range chosen {
		runs := results[s.name]
		var parts []string
		verdict := ""
		for i, m := range runs[0] {
			vals := make([]float64, len(runs))
			for r := range runs {
				vals[r] = runs[r][i].value
			}
			med := median(vals)
			parts = append(parts, human(med, m.unit))
			if m.unit == s.goal.unit {
				met := med >= s.goal.limit
				op := "≥"
				if s.goal.most {
					met, op = med <= s.goal.limit, "≤"
				}
				verdict = fmt.Sprintf("target %s %s: ", op, human(s.goal.limit, m.unit))
				if met {
					verdict += "met"
				} else {
					verdict += "MISSED"
				}
			}
		}
		fmt.Fprintf(w, "  %-34s %-52s %s\n", s.bench(cfg), strings.Join(parts, ", "), verdict)
	}
}

func human(v float64, unit string) string {
	if unit == "ns/op" {
		return fmt.Sprintf("%.2f s", v/1e9)
	}
	return number(v) + " " + unit
}

func median(vs []float64) float64 {
	s := slices.Sorted(slices.Values(vs))
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// cpuName returns the processor's model, as go test prints it.
func cpuName() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// raiseFileLimit makes sure this process may open n files: one socket per
// device, besides the usual. The Go runtime already raises the soft limit
// to the hard one at start; this only reports a hard limit too low.
func raiseFileLimit(n uint64) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("read the open file limit: %w", err)
	}
	if lim.Cur >= n {
		return nil
	}
	if lim.Max < n {
		return fmt.Errorf("the open file limit is %d, the idle scenario needs %d: raise it (ulimit -n %d)", lim.Max, n, n)
	}
	lim.Cur = n
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("raise the open file limit to %d: %w", n, err)
	}
	return nil
}
