package permissions

// clip keeps a cursor inside a window of h rows over n items (the matrix's
// columns).
func clip(cursor, offset, n, h int) int {
	if h <= 0 {
		return 0
	}
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+h {
		offset = cursor - h + 1
	}
	if offset > n-h {
		offset = n - h
	}
	return max(offset, 0)
}
