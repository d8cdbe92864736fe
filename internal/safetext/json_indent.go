package safetext

import (
	"bytes"
	"encoding/json"
)

// MarshalIndent is v as the command line writes JSON (indented, HTML characters
// as they are, hidden ones as \u escapes), each line after the first
// starting with prefix, without the final newline.
func MarshalIndent(v any, prefix string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent(prefix, "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return JSON(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}
