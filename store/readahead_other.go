//go:build !linux

package store

import "os"

// adviseWillNeed: only Linux is asked to read ahead.
func adviseWillNeed(*os.File, int64, int64) {}
