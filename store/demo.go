package store

// DemoOptions size the demo data.
type DemoOptions struct {
	Users    int   // default 200
	Seed     int64 // default 1: the same data every time
	Progress func(done, total int)
}

// DemoResult counts what Demo created.
type DemoResult struct {
	Clients, Sites, Teams, Users int
}

// Demo fills an empty database with realistic clients, sites, teams and users.
func (s *Store) Demo(actor Actor, o DemoOptions) (DemoResult, error) {
	return DemoResult{}, badInput("demo: not yet")
}
