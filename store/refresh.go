package store

// behindTeller is an engine that other nodes write to (etcd): it says
// whether one has committed since this node's memory was read.
type behindTeller interface {
	behind() (bool, error)
}

// Refresh reads memory again when another node has committed to the store
// since this one read it (a store on etcd shared by several serve nodes),
// so that what a command reads next is what the store holds; a store in a
// file, which only this process writes, is never behind. Open consoles are
// not told (that is watching the store, not reading it afresh).
func (s *Store) Refresh() error {
	b, ok := s.db.(behindTeller)
	if !ok {
		return nil
	}
	behind, err := b.behind()
	if err != nil || !behind {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.catchUp()
}
