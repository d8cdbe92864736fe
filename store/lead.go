package store

import "context"

// leading is an engine shared by several nodes that can choose one of them
// for a role (etcd: an election on a lease).
type leading interface {
	lead(ctx context.Context, role string) (lost <-chan struct{}, release func(), err error)
}

// Lead waits until this node is the one to do role (such as delivering the
// outbox) among all the nodes of the store, or ctx ends. lost is closed
// when this node may no longer be the one (its lease ran out: another may
// have taken over), and release hands the role on. A store that one process
// holds (the bbolt file) has no other node: Lead returns at once.
func (s *Store) Lead(ctx context.Context, role string) (lost <-chan struct{}, release func(), err error) {
	if l, ok := s.db.(leading); ok {
		return l.lead(ctx, role)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return make(chan struct{}), func() {}, nil
}
