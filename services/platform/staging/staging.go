// Package staging makes the folders workers stage files in (a downloaded
// slide, its frames, a pyramid being built) and clears the ones a killed
// worker left behind. In a cluster the temporary folder is a size-limited
// emptyDir that survives container restarts, so leftovers from repeated
// OOM kills would fill it and get the pod evicted.
//
// A live folder is told from a leftover by a lock: each folder holds an
// exclusive flock for as long as its job runs, and the kernel drops it when
// the process dies however it dies. Several processes may share one base
// folder (tests, a single machine running every service).
package staging

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// baseLock serialises making a folder and locking it against a sweep, so
// a sweep never sees a folder made but not yet locked.
const baseLock = ".patholabel-staging.lock"

// Dir is one job's staging folder.
type Dir struct {
	Path string
	lock *os.File
}

// Make creates and locks a folder named prefix plus a random suffix in base.
func Make(base, prefix string) (*Dir, error) {
	unlock, err := lockBase(base)
	if err != nil {
		return nil, err
	}
	defer unlock()
	path, err := os.MkdirTemp(base, prefix)
	if err != nil {
		return nil, fmt.Errorf("make staging folder: %w", err)
	}
	lock, err := os.Open(path)
	if err == nil {
		err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	if err != nil {
		os.RemoveAll(path)
		return nil, fmt.Errorf("lock staging folder: %w", err)
	}
	return &Dir{Path: path, lock: lock}, nil
}

// Remove deletes the folder and its contents, then lets go of the lock.
func (d *Dir) Remove() error {
	err := os.RemoveAll(d.Path)
	d.lock.Close()
	if err != nil {
		return fmt.Errorf("remove staging folder: %w", err)
	}
	return nil
}

// Sweep removes every prefix* folder in base that no live process holds,
// and returns what it removed. Workers call it when they start.
func Sweep(base, prefix string) ([]string, error) {
	unlock, err := lockBase(base)
	if err != nil {
		return nil, err
	}
	defer unlock()
	entries, err := os.ReadDir(base)
	if err != nil {
		return nil, fmt.Errorf("sweep staging folders: %w", err)
	}
	var removed []string
	var errs []error
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		path := filepath.Join(base, e.Name())
		ok, err := removeUnlocked(path)
		if ok {
			removed = append(removed, path)
		}
		errs = append(errs, err)
	}
	return removed, errors.Join(errs...)
}

// removeUnlocked removes path unless another process holds its lock.
func removeUnlocked(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("sweep %s: %w", path, err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return false, nil // a live job's
		}
		return false, fmt.Errorf("sweep %s: %w", path, err)
	}
	if err := os.RemoveAll(path); err != nil {
		return false, fmt.Errorf("sweep %s: %w", path, err)
	}
	return true, nil
}

func lockBase(base string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(base, baseLock), os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock staging base: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock staging base: %w", err)
	}
	return func() { f.Close() }, nil
}
