package trellis

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// policySpec is the expected outcome of every action on every kind (and every
// visibility, for kinds that have one) for every kind of actor. It is written
// out by hand, independently of the grant table, so that a change to the
// table that changes any outcome must change this text too.
//
// Columns, for a resource owned by O (chain: M, S, D):
//
//	self   O, the owner (an engineer without reports)
//	mgr    M, O's direct manager
//	chain  S, M's manager (skip level)
//	dir    D, director at the top of O's chain (O is in their department)
//	peer   P, a manager reporting to D, not in O's chain
//	odir   E, a director of another department (has reports, not in O's chain)
//	pp     a people partner
//	admin  an admin
//	any    another engineer without reports
//	anon   nobody signed in
//	left   a person who has left (inactive)
//
// For kinds without an owner the first columns are simply more signed-in
// people. Cells: ok, 401, 403, 404.
const policySpec = `
== framework
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
create             403   403   403   403   403   403   403   ok    403   401   401
comment            403   403   403   403   403   403   403   403   403   401   401
edit               403   403   403   403   403   403   403   403   403   401   401
delete             403   403   403   403   403   403   403   403   403   401   401
change-visibility  403   403   403   403   403   403   403   403   403   401   401
export             ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
activate           403   403   403   403   403   403   403   ok    403   401   401
assign             403   403   403   403   403   403   403   403   403   401   401
decide             403   403   403   403   403   403   403   403   403   401   401

== person
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
create             403   403   403   403   403   403   403   ok    403   401   401
comment            403   403   403   403   403   403   403   403   403   401   401
edit               ok    403   403   403   403   403   403   ok    403   401   401
delete             403   403   403   403   403   403   403   403   403   401   401
change-visibility  403   403   403   403   403   403   403   403   403   401   401
export             403   403   403   403   403   403   403   403   403   401   401
activate           403   403   403   403   403   403   403   403   403   401   401
assign             403   403   403   403   403   403   403   ok    403   401   401
decide             403   403   403   403   403   403   403   403   403   401   401

== evidence/private
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    404   404   404   404   404   404   404   404   401   401
create             ok    403   403   403   403   403   403   403   403   401   401
comment            ok    404   404   404   404   404   404   404   404   401   401
edit               ok    404   404   404   404   404   404   404   404   401   401
delete             ok    404   404   404   404   404   404   404   404   401   401
change-visibility  ok    404   404   404   404   404   404   404   404   401   401
export             ok    404   404   404   404   404   404   404   404   401   401
activate           403   404   404   404   404   404   404   404   404   401   401
assign             403   404   404   404   404   404   404   404   404   401   401
decide             403   404   404   404   404   404   404   404   404   401   401

== evidence/manager
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    404   404   404   404   404   401   401
create             ok    403   403   403   403   403   403   403   403   401   401
comment            ok    ok    ok    ok    404   404   404   404   404   401   401
edit               ok    403   403   403   404   404   404   404   404   401   401
delete             ok    403   403   403   404   404   404   404   404   401   401
change-visibility  ok    403   403   403   404   404   404   404   404   401   401
export             ok    ok    ok    ok    404   404   404   404   404   401   401
activate           403   403   403   403   404   404   404   404   404   401   401
assign             403   403   403   403   404   404   404   404   404   401   401
decide             403   403   403   403   404   404   404   404   404   401   401

== evidence/organisation-viewer
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
create             ok    403   403   403   403   403   403   403   403   401   401
comment            ok    ok    ok    ok    403   403   403   403   403   401   401
edit               ok    403   403   403   403   403   403   403   403   401   401
delete             ok    403   403   403   403   403   403   403   403   401   401
change-visibility  ok    403   403   403   403   403   403   403   403   401   401
export             ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
activate           403   403   403   403   403   403   403   403   403   401   401
assign             403   403   403   403   403   403   403   403   403   401   401
decide             403   403   403   403   403   403   403   403   403   401   401

== evidence/organisation-commenter
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
create             ok    403   403   403   403   403   403   403   403   401   401
comment            ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
edit               ok    403   403   403   403   403   403   403   403   401   401
delete             ok    403   403   403   403   403   403   403   403   401   401
change-visibility  ok    403   403   403   403   403   403   403   403   401   401
export             ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
activate           403   403   403   403   403   403   403   403   403   401   401
assign             403   403   403   403   403   403   403   403   403   401   401
decide             403   403   403   403   403   403   403   403   403   401   401

== evidence/organisation-editor
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
create             ok    403   403   403   403   403   403   403   403   401   401
comment            ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
edit               ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
delete             ok    403   403   403   403   403   403   403   403   401   401
change-visibility  ok    403   403   403   403   403   403   403   403   401   401
export             ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
activate           403   403   403   403   403   403   403   403   403   401   401
assign             403   403   403   403   403   403   403   403   403   401   401
decide             403   403   403   403   403   403   403   403   403   401   401

== document/private
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    404   404   404   404   404   404   404   404   401   401
create             ok    ok    403   403   403   403   403   403   403   401   401
comment            ok    404   404   404   404   404   404   404   404   401   401
edit               ok    404   404   404   404   404   404   404   404   401   401
delete             ok    404   404   404   404   404   404   404   404   401   401
change-visibility  ok    404   404   404   404   404   404   404   404   401   401
export             ok    404   404   404   404   404   404   404   404   401   401
activate           403   404   404   404   404   404   404   404   404   401   401
assign             403   404   404   404   404   404   404   404   404   401   401
decide             403   404   404   404   404   404   404   404   404   401   401

== document/manager
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    404   404   404   404   404   401   401
create             ok    ok    403   403   403   403   403   403   403   401   401
comment            ok    ok    ok    ok    404   404   404   404   404   401   401
edit               ok    ok    403   403   404   404   404   404   404   401   401
delete             ok    403   403   403   404   404   404   404   404   401   401
change-visibility  ok    403   403   403   404   404   404   404   404   401   401
export             ok    ok    ok    ok    404   404   404   404   404   401   401
activate           403   403   403   403   404   404   404   404   404   401   401
assign             403   403   403   403   404   404   404   404   404   401   401
decide             403   403   403   403   404   404   404   404   404   401   401

== document/organisation-viewer
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
create             ok    ok    403   403   403   403   403   403   403   401   401
comment            ok    ok    ok    ok    403   403   403   403   403   401   401
edit               ok    ok    403   403   403   403   403   403   403   401   401
delete             ok    403   403   403   403   403   403   403   403   401   401
change-visibility  ok    403   403   403   403   403   403   403   403   401   401
export             ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
activate           403   403   403   403   403   403   403   403   403   401   401
assign             403   403   403   403   403   403   403   403   403   401   401
decide             403   403   403   403   403   403   403   403   403   401   401

== document/organisation-commenter
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
create             ok    ok    403   403   403   403   403   403   403   401   401
comment            ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
edit               ok    ok    403   403   403   403   403   403   403   401   401
delete             ok    403   403   403   403   403   403   403   403   401   401
change-visibility  ok    403   403   403   403   403   403   403   403   401   401
export             ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
activate           403   403   403   403   403   403   403   403   403   401   401
assign             403   403   403   403   403   403   403   403   403   401   401
decide             403   403   403   403   403   403   403   403   403   401   401

== document/organisation-editor
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
create             ok    ok    403   403   403   403   403   403   403   401   401
comment            ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
edit               ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
delete             ok    403   403   403   403   403   403   403   403   401   401
change-visibility  ok    403   403   403   403   403   403   403   403   401   401
export             ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
activate           403   403   403   403   403   403   403   403   403   401   401
assign             403   403   403   403   403   403   403   403   403   401   401
decide             403   403   403   403   403   403   403   403   403   401   401

== peer-review
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               404   ok    ok    ok    ok    ok    404   404   404   401   401
create             403   ok    403   403   403   403   403   403   403   401   401
comment            404   ok    ok    ok    ok    ok    404   404   404   401   401
edit               404   ok    403   403   403   403   404   404   404   401   401
delete             404   ok    403   403   403   403   404   404   404   401   401
change-visibility  404   403   403   403   403   403   404   404   404   401   401
export             404   403   403   403   403   403   404   404   404   401   401
activate           404   403   403   403   403   403   404   404   404   401   401
assign             404   403   403   403   403   403   404   404   404   401   401
decide             404   403   403   403   403   403   404   404   404   401   401

== growth-plan
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    404   404   404   404   404   401   401
create             ok    403   403   403   403   403   403   403   403   401   401
comment            ok    ok    403   403   404   404   404   404   404   401   401
edit               ok    403   403   403   404   404   404   404   404   401   401
delete             403   403   403   403   404   404   404   404   404   401   401
change-visibility  403   403   403   403   404   404   404   404   404   401   401
export             ok    403   403   403   404   404   404   404   404   401   401
activate           403   403   403   403   404   404   404   404   404   401   401
assign             403   403   403   403   404   404   404   404   404   401   401
decide             403   403   403   403   404   404   404   404   404   401   401

== assessment
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    404   404   404   404   404   401   401
create             403   ok    403   403   403   403   403   403   403   401   401
comment            ok    ok    403   403   404   404   404   404   404   401   401
edit               403   ok    403   403   404   404   404   404   404   401   401
delete             403   ok    403   403   404   404   404   404   404   401   401
change-visibility  403   403   403   403   404   404   404   404   404   401   401
export             403   403   403   403   404   404   404   404   404   401   401
activate           403   403   403   403   404   404   404   404   404   401   401
assign             403   403   403   403   404   404   404   404   404   401   401
decide             403   403   403   403   404   404   404   404   404   401   401

== cycle
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
create             403   403   403   ok    403   ok    ok    403   403   401   401
comment            403   403   403   403   403   403   403   403   403   401   401
edit               403   403   403   ok    403   ok    ok    403   403   401   401
delete             403   403   403   403   403   403   403   403   403   401   401
change-visibility  403   403   403   403   403   403   403   403   403   401   401
export             403   403   403   403   403   403   403   403   403   401   401
activate           403   403   403   403   403   403   403   403   403   401   401
assign             403   403   403   403   403   403   403   403   403   401   401
decide             403   403   403   403   403   403   403   403   403   401   401

== calibration
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               404   404   404   ok    404   ok    ok    404   404   401   401
create             404   404   404   403   404   403   403   404   404   401   401
comment            404   404   404   ok    404   ok    ok    404   404   401   401
edit               404   404   404   ok    404   ok    403   404   404   401   401
delete             404   404   404   403   404   403   403   404   404   401   401
change-visibility  404   404   404   403   404   403   403   404   404   401   401
export             404   404   404   ok    404   ok    ok    404   404   401   401
activate           404   404   404   403   404   403   403   404   404   401   401
assign             404   404   404   403   404   403   403   404   404   401   401
decide             404   404   404   403   404   403   403   404   404   401   401

== decision
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    404   404   ok    404   404   401   401
create             403   403   403   403   403   403   403   403   403   401   401
comment            403   403   403   403   404   404   403   404   404   401   401
edit               403   403   403   403   404   404   403   404   404   401   401
delete             403   403   403   403   404   404   403   404   404   401   401
change-visibility  403   403   403   403   404   404   403   404   404   401   401
export             403   403   403   ok    404   404   ok    404   404   401   401
activate           403   403   403   403   404   404   403   404   404   401   401
assign             403   403   403   403   404   404   403   404   404   401   401
decide             403   403   403   ok    404   404   403   404   404   401   401

== audit-log
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               404   404   404   404   404   404   ok    ok    404   401   401
create             404   404   404   404   404   404   403   403   404   401   401
comment            404   404   404   404   404   404   403   403   404   401   401
edit               404   404   404   404   404   404   403   403   404   401   401
delete             404   404   404   404   404   404   403   403   404   401   401
change-visibility  404   404   404   404   404   404   403   403   404   401   401
export             404   404   404   404   404   404   ok    ok    404   401   401
activate           404   404   404   404   404   404   403   403   404   401   401
assign             404   404   404   404   404   404   403   403   404   401   401
decide             404   404   404   404   404   404   403   403   404   401   401

== token
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    404   404   404   404   404   404   ok    404   401   401
create             ok    403   403   403   403   403   403   403   403   401   401
comment            403   404   404   404   404   404   404   403   404   401   401
edit               403   404   404   404   404   404   404   403   404   401   401
delete             ok    404   404   404   404   404   404   ok    404   401   401
change-visibility  403   404   404   404   404   404   404   403   404   401   401
export             403   404   404   404   404   404   404   403   404   401   401
activate           403   404   404   404   404   404   404   403   404   401   401
assign             403   404   404   404   404   404   404   403   404   401   401
decide             403   404   404   404   404   404   404   403   404   401   401

== admin
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               404   404   404   404   404   404   404   ok    404   401   401
create             404   404   404   404   404   404   404   403   404   401   401
comment            404   404   404   404   404   404   404   403   404   401   401
edit               404   404   404   404   404   404   404   ok    404   401   401
delete             404   404   404   404   404   404   404   403   404   401   401
change-visibility  404   404   404   404   404   404   404   403   404   401   401
export             404   404   404   404   404   404   404   403   404   401   401
activate           404   404   404   404   404   404   404   403   404   401   401
assign             404   404   404   404   404   404   404   403   404   401   401
decide             404   404   404   404   404   404   404   403   404   401   401

== opening
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
create             ok    ok    ok    ok    403   403   403   ok    403   401   401
comment            ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
edit               ok    ok    ok    ok    403   403   403   ok    403   401   401
delete             403   403   403   403   403   403   403   403   403   401   401
change-visibility  403   403   403   403   403   403   403   403   403   401   401
export             403   403   403   403   403   403   403   403   403   401   401
activate           403   403   403   403   403   403   403   403   403   401   401
assign             403   403   403   403   403   403   403   403   403   401   401
decide             403   403   403   403   403   403   403   403   403   401   401

== programme
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    ok    ok    ok    ok    ok    401   401
create             403   403   403   ok    403   ok    ok    ok    403   401   401
comment            403   403   403   403   403   403   403   403   403   401   401
edit               403   403   403   ok    403   ok    ok    ok    403   401   401
delete             403   403   403   403   403   403   403   403   403   401   401
change-visibility  403   403   403   403   403   403   403   403   403   401   401
export             403   403   403   403   403   403   403   403   403   401   401
activate           403   403   403   403   403   403   403   403   403   401   401
assign             403   403   403   403   403   403   403   403   403   401   401
decide             403   403   403   403   403   403   403   403   403   401   401

== participation
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    404   404   ok    ok    404   401   401
create             ok    403   403   403   403   403   403   403   403   401   401
comment            403   403   403   403   404   404   403   403   404   401   401
edit               403   403   403   ok    404   404   ok    ok    404   401   401
delete             403   403   403   403   404   404   403   403   404   401   401
change-visibility  403   403   403   403   404   404   403   403   404   401   401
export             403   403   403   403   404   404   403   403   404   401   401
activate           403   403   403   403   404   404   403   403   404   401   401
assign             403   403   403   403   404   404   403   403   404   401   401
decide             403   ok    403   403   404   404   403   403   404   401   401

== assignment
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    404   404   ok    ok    404   401   401
create             403   ok    403   403   403   403   403   ok    403   401   401
comment            403   403   403   403   404   404   403   403   404   401   401
edit               403   ok    403   403   404   404   403   ok    404   401   401
delete             403   403   403   403   404   404   403   403   404   401   401
change-visibility  403   403   403   403   404   404   403   403   404   401   401
export             403   403   403   403   404   404   403   403   404   401   401
activate           403   403   403   403   404   404   403   403   404   401   401
assign             403   403   403   403   404   404   403   403   404   401   401
decide             403   403   403   403   404   404   403   403   404   401   401

== chat
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    404   404   404   404   404   404   404   404   401   401
create             ok    403   403   403   403   403   403   403   403   401   401
comment            403   404   404   404   404   404   404   404   404   401   401
edit               ok    404   404   404   404   404   404   404   404   401   401
delete             403   404   404   404   404   404   404   404   404   401   401
change-visibility  403   404   404   404   404   404   404   404   404   401   401
export             403   404   404   404   404   404   404   404   404   401   401
activate           403   404   404   404   404   404   404   404   404   401   401
assign             403   404   404   404   404   404   404   404   404   401   401
decide             403   404   404   404   404   404   404   404   404   401   401

== mentoring
                   self  mgr   chain dir   peer  odir  pp    admin any   anon  left
read               ok    ok    ok    ok    404   404   404   404   404   401   401
create             ok    403   403   403   403   403   403   403   403   401   401
comment            403   403   403   403   404   404   404   404   404   401   401
edit               ok    403   403   403   404   404   404   404   404   401   401
delete             ok    403   403   403   404   404   404   404   404   401   401
change-visibility  403   403   403   403   404   404   404   404   404   401   401
export             403   403   403   403   404   404   404   404   404   401   401
activate           403   403   403   403   404   404   404   404   404   401   401
assign             403   403   403   403   404   404   404   404   404   401   401
decide             403   403   403   403   404   404   404   404   404   401   401
`

var specColumns = []string{"self", "mgr", "chain", "dir", "peer", "odir", "pp", "admin", "any", "anon", "left"}

// specOrg builds the organisation of the policySpec columns and returns the
// owner, the owner's chain and the actor for each column.
func specOrg() (owner *Person, chain []int64, actors map[string]Actor) {
	id := func(n int64) *int64 { return &n }
	d := &Person{ID: 1, Access: AccessDirector, Active: true}
	s := &Person{ID: 2, Access: AccessEngineer, ManagerID: id(1), Active: true}
	m := &Person{ID: 3, Access: AccessEngineer, ManagerID: id(2), Active: true}
	o := &Person{ID: 4, Access: AccessEngineer, ManagerID: id(3), Active: true}
	p := &Person{ID: 5, Access: AccessEngineer, ManagerID: id(1), Active: true}
	e := &Person{ID: 6, Access: AccessDirector, Active: true}
	pp := &Person{ID: 7, Access: AccessPeople, ManagerID: id(6), Active: true}
	admin := &Person{ID: 8, Access: AccessAdmin, ManagerID: id(6), Active: true}
	anyone := &Person{ID: 9, Access: AccessEngineer, ManagerID: id(5), Active: true}
	left := &Person{ID: 10, Access: AccessAdmin, ManagerID: id(3), Active: false}
	return o, []int64{3, 2, 1}, map[string]Actor{
		"self":  {Person: o, Chain: []int64{3, 2, 1}},
		"mgr":   {Person: m, HasReports: true, Chain: []int64{2, 1}},
		"chain": {Person: s, HasReports: true, Chain: []int64{1}},
		"dir":   {Person: d, HasReports: true},
		"peer":  {Person: p, HasReports: true, Chain: []int64{1}},
		"odir":  {Person: e, HasReports: true},
		"pp":    {Person: pp, Chain: []int64{6}},
		"admin": {Person: admin, Chain: []int64{6}},
		"any":   {Person: anyone, Chain: []int64{5, 1}},
		"anon":  {},
		"left":  {Person: left},
	}
}

type specCase struct {
	kind   Kind
	vis    Visibility
	action Action
	column string
	want   string // ok, 401, 403, 404
	line   int
}

func parsePolicySpec(t *testing.T) []specCase {
	t.Helper()
	var cases []specCase
	var kind Kind
	var vis Visibility
	seen := map[string]bool{}
	for n, raw := range strings.Split(policySpec, "\n") {
		line := strings.TrimSpace(raw)
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "=="):
			k, v, _ := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "==")), "/")
			kind, vis = Kind(k), Visibility(v)
			continue
		case strings.HasPrefix(line, "self"):
			if got := strings.Fields(line); !slices.Equal(got, specColumns) {
				t.Fatalf("spec line %d: header %v, want %v", n, got, specColumns)
			}
			continue
		}
		f := strings.Fields(line)
		if len(f) != len(specColumns)+1 {
			t.Fatalf("spec line %d: %d cells, want %d", n, len(f)-1, len(specColumns))
		}
		key := fmt.Sprintf("%s/%s/%s", kind, vis, f[0])
		if seen[key] {
			t.Fatalf("spec line %d: %s listed twice", n, key)
		}
		seen[key] = true
		for i, c := range specColumns {
			cases = append(cases, specCase{kind, vis, Action(f[0]), c, f[i+1], n})
		}
	}
	// The spec must cover every action of every kind at every visibility:
	// a new kind, action or level without expectations fails here.
	for _, k := range AllKinds {
		levels := []Visibility{""}
		if k.HasVisibility() {
			levels = Visibilities
		}
		for _, v := range levels {
			for _, a := range AllActions {
				if !seen[fmt.Sprintf("%s/%s/%s", k, v, a)] {
					t.Errorf("policySpec has no row for %s %s %s", k, v, a)
				}
			}
		}
	}
	if len(seen) != len(AllActions)*(len(AllKinds)-2+2*len(Visibilities)) {
		t.Errorf("policySpec has %d rows; some name unknown kinds, levels or actions", len(seen))
	}
	return cases
}

func outcome(err error) string {
	switch ErrorCode(err) {
	case "":
		return "ok"
	case EUNAUTHORIZED:
		return "401"
	case EFORBIDDEN:
		return "403"
	case ENOTFOUND:
		return "404"
	}
	return "error: " + err.Error()
}

func TestAuthorizeSpec(t *testing.T) {
	cases := parsePolicySpec(t)
	owner, chain, actors := specOrg()
	for _, c := range cases {
		target := Target{Kind: c.kind, Visibility: c.vis}
		if c.kind.Owned() {
			target.Owner, target.OwnerChain = owner, chain
		}
		got := outcome(Authorize(actors[c.column], c.action, target))
		if got != c.want {
			t.Errorf("spec line %d: %s %s %s by %s = %s, want %s", c.line, c.action, c.kind, c.vis, c.column, got, c.want)
		}
	}
	t.Logf("%d cases: %d kinds x %d actions x %d actors, evidence and documents at %d visibilities",
		len(cases), len(AllKinds), len(AllActions), len(specColumns), len(Visibilities))
}

// A read-scoped token keeps the reading part of its person's rights: every
// write the person may do becomes 403, everything else is unchanged.
func TestAuthorizeReadOnlyToken(t *testing.T) {
	cases := parsePolicySpec(t)
	owner, chain, actors := specOrg()
	for _, c := range cases {
		target := Target{Kind: c.kind, Visibility: c.vis}
		if c.kind.Owned() {
			target.Owner, target.OwnerChain = owner, chain
		}
		a := actors[c.column]
		a.ReadOnly = true
		want := c.want
		if want == "ok" && c.action != ActionRead && c.action != ActionExport {
			want = "403"
		}
		if got := outcome(Authorize(a, c.action, target)); got != want {
			t.Errorf("read-only token: %s %s %s by %s = %s, want %s", c.action, c.kind, c.vis, c.column, got, want)
		}
	}
}

// The spec's columns only mean something if each actor holds the relations
// the column names.
func TestRelations(t *testing.T) {
	owner, chain, actors := specOrg()
	want := map[string][]Relation{
		"self":  {RelSelf, RelSignedIn},
		"mgr":   {RelManager, RelSignedIn},
		"chain": {RelManagerChain, RelSignedIn},
		"dir":   {RelManagerChain, RelDirector, RelSignedIn},
		"peer":  {RelPeerManager, RelSignedIn},
		"odir":  {RelPeerManager, RelSignedIn},
		"pp":    {RelPeoplePartner, RelSignedIn},
		"admin": {RelAdmin, RelSignedIn},
		"any":   {RelSignedIn},
		"anon":  {RelAnonymous},
		"left":  {RelAnonymous},
	}
	for _, c := range specColumns {
		a := actors[c]
		if got := Relations(a, owner, chain); !slices.Equal(got, want[c]) {
			t.Errorf("%s: relations %v, want %v", c, got, want[c])
		}
	}

	// Without an owner only access-derived relations remain, and every
	// director counts.
	ownerless := map[string][]Relation{
		"self": {RelSignedIn}, "mgr": {RelSignedIn}, "peer": {RelSignedIn},
		"dir": {RelDirector, RelSignedIn}, "odir": {RelDirector, RelSignedIn},
		"pp": {RelPeoplePartner, RelSignedIn}, "admin": {RelAdmin, RelSignedIn},
	}
	for c, w := range ownerless {
		a := actors[c]
		if got := Relations(a, nil, nil); !slices.Equal(got, w) {
			t.Errorf("ownerless %s: relations %v, want %v", c, got, w)
		}
	}

	// A director who is the direct manager holds both relations; one
	// without reports outside the chain still reviews as a peer manager.
	id := func(n int64) *int64 { return &n }
	dm := &Person{ID: 20, Access: AccessDirector, Active: true}
	rep := &Person{ID: 21, ManagerID: id(20), Active: true}
	if got := Relations(Actor{Person: dm, HasReports: true}, rep, []int64{20}); !slices.Equal(got, []Relation{RelManager, RelDirector, RelSignedIn}) {
		t.Errorf("director as direct manager: %v", got)
	}
	lone := &Person{ID: 22, Access: AccessDirector, Active: true}
	if got := Relations(Actor{Person: lone}, rep, []int64{20}); !slices.Equal(got, []Relation{RelPeerManager, RelSignedIn}) {
		t.Errorf("director outside the chain without reports: %v", got)
	}
	// A director's own things: self, never director (nobody decides their
	// own promotion).
	if got := Relations(Actor{Person: dm, HasReports: true}, dm, nil); !slices.Equal(got, []Relation{RelSelf, RelSignedIn}) {
		t.Errorf("director on own resource: %v", got)
	}
	// The direct manager is recognised from the chain even when the owner
	// record carries no manager id, and from the owner record alone.
	if got := Relations(actors["mgr"], &Person{ID: 4, Active: true}, chain); !slices.Equal(got, []Relation{RelManager, RelSignedIn}) {
		t.Errorf("manager from chain: %v", got)
	}
	if got := Relations(actors["mgr"], owner, nil); !slices.Equal(got, []Relation{RelManager, RelSignedIn}) {
		t.Errorf("manager from owner record: %v", got)
	}
}

// A manager below the owner is not the owner's peer: they must not see their
// own manager's peer-review copy, nor may a director below a vice president.
func TestRelationsBelowTheOwnerIsNotPeer(t *testing.T) {
	id := func(n int64) *int64 { return &n }
	boss := &Person{ID: 2, ManagerID: id(1), Active: true}   // candidate for senior manager; reports to 1, a director
	sub := &Person{ID: 3, ManagerID: id(2), Active: true}    // a manager reporting to the candidate
	subsub := &Person{ID: 4, ManagerID: id(3), Active: true} // a manager two levels below
	dirBelow := &Person{ID: 5, Access: AccessDirector, ManagerID: id(2), Active: true}
	for name, a := range map[string]Actor{
		"direct report":    {Person: sub, HasReports: true, Chain: []int64{2, 1}},
		"report's report":  {Person: subsub, HasReports: true, Chain: []int64{3, 2, 1}},
		"director below":   {Person: dirBelow, HasReports: true, Chain: []int64{2, 1}},
		"chain not loaded": {Person: sub, HasReports: true}, // the direct manager id still tells
	} {
		if got := Relations(a, boss, []int64{1}); !slices.Equal(got, []Relation{RelSignedIn}) {
			t.Errorf("%s: %v", name, got)
		}
		err := Authorize(a, ActionRead, Target{Kind: KindPeerReview, Owner: boss, OwnerChain: []int64{1}})
		if ErrorCode(err) != ENOTFOUND {
			t.Errorf("%s reads the boss's peer review: %v", name, err)
		}
	}
}

func TestAuthorizeRefusesUnknownValues(t *testing.T) {
	_, _, actors := specOrg()
	admin := actors["admin"]
	for _, tc := range []struct {
		action Action
		target Target
	}{
		{"fly", Target{Kind: KindFramework}},
		{ActionRead, Target{Kind: "spaceship"}},
		{ActionRead, Target{Kind: KindEvidence, Visibility: "public"}},
	} {
		if got := ErrorCode(Authorize(admin, tc.action, tc.target)); got != EINTERNAL {
			t.Errorf("%s %v: code %q, want %q", tc.action, tc.target, got, EINTERNAL)
		}
	}
}

// Evidence whose visibility was never set is treated as private.
func TestAuthorizeEmptyVisibilityIsPrivate(t *testing.T) {
	owner, chain, actors := specOrg()
	for _, k := range []Kind{KindEvidence, KindDocument} {
		for _, c := range specColumns {
			for _, a := range AllActions {
				empty := Target{Kind: k, Owner: owner, OwnerChain: chain}
				private := empty
				private.Visibility = VisPrivate
				if g, w := outcome(Authorize(actors[c], a, empty)), outcome(Authorize(actors[c], a, private)); g != w {
					t.Errorf("%s %s by %s: unset visibility %s, private %s", a, k, c, g, w)
				}
			}
		}
	}
}

// An ownerless kind ignores an owner passed by mistake, so a handler cannot
// widen access to a cycle by attaching a person to it.
func TestAuthorizeOwnerlessIgnoresOwner(t *testing.T) {
	owner, chain, actors := specOrg()
	for _, k := range AllKinds {
		if k.Owned() {
			continue
		}
		for _, c := range specColumns {
			for _, a := range AllActions {
				with := outcome(Authorize(actors[c], a, Target{Kind: k, Owner: owner, OwnerChain: chain}))
				without := outcome(Authorize(actors[c], a, Target{Kind: k}))
				if with != without {
					t.Errorf("%s %s by %s: %s with an owner, %s without", a, k, c, with, without)
				}
			}
		}
	}
}

// Messages of hidden resources must not differ between "missing" and
// "hidden", and no message may echo the owner.
func TestAuthorizeMessages(t *testing.T) {
	owner, chain, actors := specOrg()
	owner.Name = "Ada Lovelace"
	err := Authorize(actors["any"], ActionRead, Target{Kind: KindDocument, Owner: owner, OwnerChain: chain, Visibility: VisPrivate})
	if ErrorMessage(err) != "No such document." {
		t.Errorf("hidden document message %q", ErrorMessage(err))
	}
	err = Authorize(actors["any"], ActionEdit, Target{Kind: KindDocument, Owner: owner, OwnerChain: chain, Visibility: VisOrganisationViewer})
	if msg := ErrorMessage(err); msg != "You may not edit this document." {
		t.Errorf("forbidden message %q", msg)
	}
	err = Authorize(actors["any"], ActionCreate, Target{Kind: KindDocument, Owner: owner, OwnerChain: chain})
	if msg := ErrorMessage(err); msg != "You may not create a document for this person." {
		t.Errorf("create message %q", msg)
	}
	if msg := ErrorMessage(Authorize(actors["mgr"], ActionCreate, Target{Kind: KindPerson, Owner: &Person{}})); msg != "You may not add people." {
		t.Errorf("add person message %q", msg)
	}
	ro := actors["self"]
	ro.ReadOnly = true
	if msg := ErrorMessage(Authorize(ro, ActionEdit, Target{Kind: KindPerson, Owner: owner})); !strings.Contains(msg, "write scope") {
		t.Errorf("read-only token message %q", msg)
	}
	if ErrorMessage(Authorize(Actor{}, ActionRead, Target{Kind: KindFramework})) != "Sign in to continue." {
		t.Error("anonymous message")
	}
	if !Can(actors["admin"], ActionActivate, Target{Kind: KindFramework}) || Can(actors["any"], ActionActivate, Target{Kind: KindFramework}) {
		t.Error("Can disagrees with Authorize")
	}
}

func TestGrantsIsACopyAndWellFormed(t *testing.T) {
	g := Grants()
	g[0].Who[0] = RelAnonymous
	if grants[0].Who[0] == RelAnonymous {
		t.Fatal("Grants returned the live table")
	}
	for _, g := range Grants() {
		if !slices.Contains(AllKinds, g.Kind) || !slices.Contains(AllActions, g.Action) {
			t.Errorf("grant %v names an unknown kind or action", g)
		}
		if g.From != "" && (!g.Kind.HasVisibility() || !g.From.Valid()) {
			t.Errorf("grant %v has a visibility on a kind without one, or an unknown level", g)
		}
		if slices.Contains(g.Who, RelAnonymous) {
			t.Errorf("grant %v gives anonymous visitors a right", g)
		}
		if len(g.Who) == 0 {
			t.Errorf("grant %v grants nobody", g)
		}
	}
}
