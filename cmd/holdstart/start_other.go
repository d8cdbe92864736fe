//go:build !unix

package holdstart

import "errors"

// Start starts no holder here (keys.LocalSupported: none runs here).
func Start(exe, db string, handed []int) (pid, report int, err error) {
	return 0, -1, errors.New("no holder runs on this system")
}
