//go:build !linux

package early

// start starts nothing here: cmd starts the holder from main, as before.
func start() *Started { return nil }
