package store

// Clients, sites and teams: added by actors with maintain on Clients or Sites & teams.

// AddClient adds a customer company.
func (t *Tx) AddClient(name string) (*Client, error) {
	if err := t.require("clients", false); err != nil {
		return nil, err
	}
	n, err := validLabel("client", name)
	if err != nil {
		return nil, err
	}
	c := t.writableCatalog()
	if _, ok := c.clientByName[lower(n)]; ok {
		return nil, atField(refused("a client named %q already exists", n), FieldName)
	}
	id, err := t.w.nextID(bucketClients)
	if err != nil {
		return nil, err
	}
	cl := &Client{ID: id, Version: 1, Name: n, Created: t.now, Updated: t.now, UpdatedBy: t.actor.Name}
	if err := writeJSON(t.w, bucketClients, itob(id), cl); err != nil {
		return nil, err
	}
	c.clients[id] = cl
	c.clientByName[lower(n)] = id
	t.record(Ref{Kind: "client", ID: id, Label: n}, "created", "", n)
	return cl, nil
}

// AddSite adds a site, owned by a client when client is not empty.
func (t *Tx) AddSite(name, client string) (*Site, error) {
	if err := t.require("sites", false); err != nil {
		return nil, err
	}
	n, err := validLabel("site", name)
	if err != nil {
		return nil, err
	}
	c := t.writableCatalog()
	if _, ok := c.siteByName[lower(n)]; ok {
		return nil, atField(refused("a site named %q already exists", n), FieldName)
	}
	var clientID uint64
	owner := "(own)"
	if client != "" {
		cl, err := c.clientNamed(client)
		if err != nil {
			return nil, err
		}
		if cl.IsRetired() {
			return nil, refused("%s", describeRetired("client", cl.Name))
		}
		clientID, owner = cl.ID, cl.Name
	}
	id, err := t.w.nextID(bucketSites)
	if err != nil {
		return nil, err
	}
	s := &Site{ID: id, Version: 1, Name: n, ClientID: clientID, Created: t.now, Updated: t.now, UpdatedBy: t.actor.Name}
	if err := writeJSON(t.w, bucketSites, itob(id), s); err != nil {
		return nil, err
	}
	c.sites[id] = s
	c.siteByName[lower(n)] = id
	c.siteExact[n] = id
	t.record(Ref{Kind: "site", ID: id, Label: n}, "created", "", n+", client "+owner)
	return s, nil
}

// AddTeam adds a team to a site.
func (t *Tx) AddTeam(name, site string) (*Team, error) {
	if err := t.require("sites", false); err != nil {
		return nil, err
	}
	n, err := validLabel("team", name)
	if err != nil {
		return nil, err
	}
	c := t.writableCatalog()
	s, err := c.siteNamed(site)
	if err != nil {
		return nil, err
	}
	if s.IsRetired() {
		return nil, refused("%s", describeRetired("site", s.Name))
	}
	for _, id := range c.teamsBySite[s.ID] {
		if lower(c.teams[id].Name) == lower(n) {
			return nil, atField(refused("site %s already has a team named %q", s.Name, n), FieldName)
		}
	}
	id, err := t.w.nextID(bucketTeams)
	if err != nil {
		return nil, err
	}
	tm := &Team{ID: id, Version: 1, Name: n, SiteID: s.ID, Created: t.now, Updated: t.now, UpdatedBy: t.actor.Name}
	if err := writeJSON(t.w, bucketTeams, itob(id), tm); err != nil {
		return nil, err
	}
	c.teams[id] = tm
	c.teamsBySite[s.ID] = append(c.teamsBySite[s.ID], id)
	t.record(Ref{Kind: "team", ID: id, Label: s.Name + "/" + n}, "created", "", s.Name+"/"+n)
	return tm, nil
}
