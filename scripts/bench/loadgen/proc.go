package main

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Resource is one process's use over the run.
type Resource struct {
	CPUSeconds float64 `json:"cpu_s"`
	CPUPercent float64 `json:"cpu_percent"` // of one core
	RSSMB      float64 `json:"rss_mb"`      // at the end
}

// usage is the CPU time of the watched processes at the run's start.
type usage struct {
	pids  map[string]int
	start map[string]time.Duration
}

// startUsage reads "name=pid,..." and the CPU time each has used so far;
// this process is watched as "loadgen".
func startUsage(spec string) *usage {
	u := &usage{pids: map[string]int{"loadgen": os.Getpid()}, start: map[string]time.Duration{}}
	for _, kv := range strings.Split(spec, ",") {
		name, pid, ok := strings.Cut(kv, "=")
		if n, err := strconv.Atoi(pid); ok && err == nil {
			u.pids[name] = n
		}
	}
	for name, pid := range u.pids {
		u.start[name] = cpuTime(pid)
	}
	return u
}

func (u *usage) since(d time.Duration) map[string]Resource {
	out := map[string]Resource{}
	for name, pid := range u.pids {
		cpu := (cpuTime(pid) - u.start[name]).Seconds()
		out[name] = Resource{CPUSeconds: cpu, CPUPercent: 100 * cpu / d.Seconds(), RSSMB: rss(pid)}
	}
	return out
}

// cpuTime is a process's user and system time from /proc (clock ticks of
// 10 ms); this process's own from getrusage.
func cpuTime(pid int) time.Duration {
	if pid == os.Getpid() {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// rss is a process's resident memory in MB, from /proc/PID/status.
func rss(pid int) float64 {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
