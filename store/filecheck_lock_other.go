//go:build !unix

package store

import "os"

// heldByAnother cannot tell here: the file is read again unlocked.
func heldByAnother(*os.File) bool { return false }
