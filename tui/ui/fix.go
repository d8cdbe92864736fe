package ui

import "github.com/gatehouse/gatehouse/store"

// fixHint is a store error's fix said as the console does it: the key or
// screen that does it (the command line says the command instead).
func fixHint(f store.Fix) string {
	switch f.Do {
	case store.FixSetting:
		return "change " + f.Setting + " on Settings (7)"
	case store.FixDisable:
		return "disable them instead (d on Users)"
	case store.FixRemoveKey:
		return "remove it from " + f.Ref.Label + " first (K on Users)"
	case store.FixListKeys:
		return "see their keys (K on Users)"
	case store.FixSetClient:
		return "change their client with their profile (p on Users)"
	case store.FixAssignClient:
		return "assign clients on Sites & teams (2)"
	case store.FixGiveClient:
		return "name one client"
	case store.FixVerifyAudit:
		return "History (4) verifies the audit chain"
	}
	return ""
}

// WithFix is an error's line with the console's fix.
func WithFix(err error) string {
	line := err.Error()
	if e, ok := store.StoreError(err); ok {
		if h := fixHint(e.Fix); h != "" {
			line += "; " + h
		}
	}
	return line
}
