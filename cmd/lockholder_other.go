//go:build !linux

package cmd

func lockHolder(db string) (pid int, gatehouse, ok bool) { return 0, false, false }
