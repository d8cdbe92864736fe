package store

// Fix says, as data, what would make a refused change or a failed look-up
// pass. The store decides it; the command line renders it as a command
// ("turn it off with: gatehouse settings set client-guardrail off") and the
// console as the key or screen that does it. The store names no command.
type Fix struct {
	Do      FixKind
	Kind    RecordKind // FixList: which records to look through
	Ref     Ref        // the record to act on (FixDisable, FixRemoveKey, FixListKeys, FixSetClient, FixAssignClient)
	Setting string     // FixSetting: which org setting…
	Value   string     // …and the value it takes; FixRemoveKey: the key's fingerprint
}

// FixKind is the kind of fix.
type FixKind uint8

// The fixes.
const (
	FixNone         FixKind = iota
	FixList                 // look through the records of Kind (a name or email that matched none)
	FixSetting              // change org setting Setting to Value
	FixDisable              // disable user Ref instead (they have records: deleting would break them)
	FixRetire               // retire record Ref instead (it has history or holders)
	FixRemoveKey            // take key Value off its holder Ref first
	FixListKeys             // look through user Ref's keys
	FixSetClient            // a client user's one client is changed on the user (Ref), not assigned
	FixAssignClient         // an employee's clients are assigned (Ref), not set
	FixGiveClient           // the change needs exactly one client named
	FixVerifyAudit          // walk the audit chain to see the damage
	FixNewDatabase          // do this on a new database
)

func fixList(k RecordKind) Fix { return Fix{Do: FixList, Kind: k} }
