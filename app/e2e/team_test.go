//go:build !js

package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"pawfile/app/syncclient"
	"pawfile/shared/account"
	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// TestTeam: the owner invites a groomer, compares the groomer's key
// fingerprint and gives access; the groomer's tablet shows the booking
// and the pet's care alerts but no client, holds no client key and gets
// no client record from the server; made front desk, the tablet gets the
// clients; the owner removes the member, whose tablet then stops syncing
// and says why, and the owner's records still open under the renewed
// keys.
func TestTeam(t *testing.T) {
	srv := startServer(t)
	owner := newBrowser(t, 1024, 768)
	owner.createWorkspace(srv, "owner@example.com")
	owner.addClient("Ann Groom", "07700 900555", "Side gate")
	owner.openClient("Ann Groom")
	owner.fill("address", "12 Mill Lane, Anytown")
	owner.button("Save")
	owner.waitText("Saved on this device", 20*time.Second)
	owner.addPet("Bella", "chicken")
	owner.book("Full groom", func() {
		owner.setDate("start", "10:00")
		owner.fill("minutes", "90")
	})

	groomer := newBrowser(t, 820, 1180)
	code := owner.inviteCode("groomer")
	// The groomer follows the invite link: the join form opens with the
	// code filled in.
	var link string
	owner.eval("invite link", `document.getElementById("invite-link").textContent`, &link)
	if want := srv.url() + "/#invite=" + code; link != want {
		t.Errorf("invite link %q, want %q", link, want)
	}
	groomer.open(link)
	groomer.waitValue("code", code, 20*time.Second)
	var address string
	groomer.eval("address", `location.href`, &address)
	if strings.Contains(address, code) {
		t.Errorf("the invite code stays in the address bar: %s", address)
	}
	if fp := groomer.finishJoin(owner, "groomer@example.com"); len(fp) != 19 {
		t.Errorf("the groomer's fingerprint = %q", fp)
	}

	// The groomer starts on the day: the booking and the pet's alert, no
	// client and no way to the client list.
	groomer.waitText("Full groom", 60*time.Second)
	groomer.waitText("allergy: chicken", 20*time.Second)
	page := groomer.text()
	for _, secret := range []string{"Ann Groom", "07700", "12 Mill Lane", "Side gate", "Clients", "clients"} {
		if strings.Contains(page, secret) {
			t.Errorf("the groomer's Today shows %q:\n%s", secret, page)
		}
	}
	groomer.open(srv.url() + "/clients")
	groomer.unlock()
	groomer.waitText("Full groom", 30*time.Second)
	if page := groomer.text(); strings.Contains(page, "Ann Groom") || strings.Contains(page, "New client") {
		t.Errorf("the groomer reached the client list:\n%s", page)
	}
	groomer.checkScreen("groomer-today")

	// Nothing of the client class on the groomer's tablet, in its keys or
	// in what the server sends it.
	dev, rows := groomer.store()
	for key, b := range rows {
		switch {
		case strings.HasPrefix(key, "i:"):
			if len(b) > 0 && record.Class(b[0]) == record.ClassClient {
				t.Errorf("the groomer's tablet holds a client index doc %s", key)
			}
		case strings.Contains(key, ":"):
		default:
			env, err := wire.UnmarshalEnvelope(b)
			if err != nil {
				t.Errorf("row %s: %v", key, err)
			} else if env.Class == record.ClassClient {
				t.Errorf("the groomer's tablet holds a client record %s", key)
			}
		}
	}
	if len(rows) == 0 {
		t.Fatal("the groomer's tablet holds no records")
	}
	keys := dev.keyrings(t, srv)
	for what, k := range keys {
		if k.Has(record.ClassClient) || !k.Has(record.ClassCare) || !k.Has(record.ClassProject) {
			t.Errorf("%s: client %v, care %v, project %v; want only care and project", what, k.Has(record.ClassClient), k.Has(record.ClassCare), k.Has(record.ClassProject))
		}
	}
	got := dev.pull(t, srv)
	classes := map[record.Class]int{}
	for _, v := range got {
		classes[v.Class]++
	}
	if classes[record.ClassClient] > 0 || classes[record.ClassCare] == 0 || classes[record.ClassProject] == 0 {
		t.Errorf("the server sent the groomer versions by class %v; want care and project, no client", classes)
	}

	// The Team screen with its member, devices and actions.
	owner.link("Today")
	owner.link("Team")
	owner.waitText("Revoke this device…", 20*time.Second)
	// An invite not used yet is listed with its role and expiry, until
	// the owner revokes it.
	owner.run("choose viewer", 10*time.Second, chromedp.SetValue("#role", "viewer", chromedp.ByQuery))
	owner.button("Make an invite code")
	owner.waitText("Viewer · valid until", 20*time.Second)
	owner.checkScreen("team")
	owner.run("portrait", 10*time.Second, emulation.SetDeviceMetricsOverride(820, 1180, 1, false))
	owner.checkScreen("team")
	owner.run("landscape", 10*time.Second, emulation.SetDeviceMetricsOverride(1024, 768, 1, false))
	owner.button("Revoke invite")
	owner.waitText("The invite was revoked: its code no longer joins.", 20*time.Second)
	if strings.Contains(owner.text(), "Viewer · valid until") {
		t.Error("the revoked invite is still listed")
	}

	// The owner makes the groomer front desk: once the tablet connects
	// again it holds the client key and pulls the client records it was
	// never sent.
	owner.run("choose front desk", 10*time.Second, chromedp.SetValue(`select[id^="role-"]`, "front_desk", chromedp.ByQuery))
	owner.button("Change role")
	owner.waitText("groomer@example.com is now Front desk.", 30*time.Second)
	groomer.open(srv.url() + "/today")
	groomer.unlock()
	groomer.waitText("Ann Groom", 60*time.Second)
	groomer.openClient("Ann Groom")
	groomer.waitValue("phone-1", "07700 900555", 30*time.Second)

	// The owner removes the member, after a confirmation.
	owner.button("Remove from team…")
	owner.waitText("Their devices stop syncing at once", 10*time.Second)
	owner.scrollTo(".danger-zone")
	owner.checkScreen("team-remove")
	owner.button("Yes, go ahead")
	owner.waitText("groomer@example.com was removed from the team", 30*time.Second)
	groomer.waitText("This device was removed from the team by the owner", 60*time.Second)
	groomer.checkScreen("groomer-removed")
	if _, err := dev.me(srv); err == nil {
		t.Error("the removed groomer's device still reads its keys from the server")
	}

	// The owner writes under the renewed keys and reads old and new after
	// a reload.
	owner.openClient("Ann Groom")
	owner.addPet("Max", "")
	owner.open(srv.url() + "/clients")
	owner.unlock()
	owner.openClient("Ann Groom")
	owner.waitText("Bella", 20*time.Second)
	owner.waitText("Max", 20*time.Second)
	owner.waitText("Up to date", 60*time.Second)
}

// groomerDevice is a browser's device record, as the app keeps it.
type groomerDevice struct {
	Workspace string         `json:"workspace"`
	Device    uint64         `json:"device"`
	Token     string         `json:"token"`
	Salt      []byte         `json:"salt"`
	Params    account.Params `json:"params"`
	Keys      []byte         `json:"keys"`
	Identity  []byte         `json:"identity"`
}

// store reads the page's device record and its records' rows, replaying
// the records store's segments (see app/localstore/records.go).
func (b *browser) store() (groomerDevice, map[string][]byte) {
	b.t.Helper()
	var dump struct {
		Device   string   `json:"device"`
		Segments []string `json:"segments"`
	}
	b.run("read IndexedDB", 30*time.Second, chromedp.Evaluate(`(async () => {
		const db = await new Promise((ok, fail) => { const r = indexedDB.open("pawfile"); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
		const get = (store, f) => new Promise((ok, fail) => { const r = f(db.transaction(store).objectStore(store)); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
		const b64 = (u) => btoa(Array.from(u, (c) => String.fromCharCode(c)).join(""));
		const keys = await get("records", (s) => s.getAllKeys());
		const segs = await get("records", (s) => s.getAll());
		const dev = await get("meta", (s) => s.get("device"));
		db.close();
		const order = keys.map((k, i) => [k, i]).sort((x, y) => x[0] < y[0] ? -1 : 1);
		return {device: b64(dev), segments: order.map(([, i]) => b64(segs[i]))};
	})()`, &dump, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	var d groomerDevice
	raw, err := base64.StdEncoding.DecodeString(dump.Device)
	if err == nil {
		err = json.Unmarshal(raw, &d)
	}
	if err != nil {
		b.t.Fatalf("the device record: %v", err)
	}
	rows := map[string][]byte{}
	for _, s := range dump.Segments {
		seg, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(seg) == 0 || seg[0] != 1 {
			b.t.Fatalf("a records segment of an unknown form: %v", err)
		}
		r := bytes.NewReader(seg[1:])
		for r.Len() > 0 {
			kl, err := binary.ReadUvarint(r)
			key := make([]byte, kl)
			if err == nil {
				_, err = io.ReadFull(r, key)
			}
			n, err2 := binary.ReadUvarint(r)
			if err != nil || err2 != nil {
				b.t.Fatalf("a damaged records segment: %v %v", err, err2)
			}
			if n == 0 {
				delete(rows, string(key))
				continue
			}
			v := make([]byte, n-1)
			if _, err := io.ReadFull(r, v); err != nil {
				b.t.Fatalf("a damaged records segment: %v", err)
			}
			rows[string(key)] = v
		}
	}
	return d, rows
}

// me asks the server for the device's own account, as the app does.
func (d groomerDevice) me(srv *server) (account.MeReply, error) {
	var me account.MeReply
	req, _ := http.NewRequest("GET", srv.url()+"/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+d.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return me, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return me, fmt.Errorf("GET /api/me: %s", resp.Status)
	}
	return me, json.NewDecoder(resp.Body).Decode(&me)
}

// keyrings opens, with the passphrase, every keyring the device holds or
// the server keeps for it.
func (d groomerDevice) keyrings(t *testing.T, srv *server) map[string]*seal.Keyring {
	t.Helper()
	sec, err := seal.Derive([]byte(passphrase), d.Salt, d.Params.Seal())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*seal.Keyring{}
	open := func(what string, k *seal.Keyring, err error) {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		out[what] = k
	}
	k, err := seal.UnwrapKeys(sec.KEK, d.Workspace, d.Keys)
	open("the keys on the tablet", k, err)
	me, err := d.me(srv)
	if err != nil {
		t.Fatal(err)
	}
	k, err = seal.UnwrapKeys(sec.KEK, d.Workspace, me.Keys)
	open("the keys the server keeps for the groomer", k, err)
	id, err := seal.UnwrapIdentity(sec.KEK, d.Workspace, d.Identity)
	if err != nil {
		t.Fatal(err)
	}
	k, err = seal.UnwrapFrom(id, d.Workspace, me.KeysForMember)
	open("the keys the owner wrapped to the groomer", k, err)
	return out
}

// pull syncs as the device from cursor 0 and returns every version the
// server sends it.
func (d groomerDevice) pull(t *testing.T, srv *server) []wire.Envelope {
	t.Helper()
	rec := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	c := syncclient.New(syncclient.Config{
		URL: "ws://" + srv.addr + "/sync", Origin: srv.url(), Workspace: d.Workspace, Device: d.Device, Token: d.Token,
		Clock: clock.New(d.Device, nil), Local: rec,
	})
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for i := 0; c.Status().State != syncclient.UpToDate; i++ {
		if i == 300 {
			t.Fatalf("a pull as the groomer never finished: %+v", c.Status())
		}
		time.Sleep(100 * time.Millisecond)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.got)
}

// recorder is a device that keeps what it receives and sends nothing.
type recorder struct {
	mu     sync.Mutex
	got    []wire.Envelope
	cursor uint64
}

func (r *recorder) Outbox(context.Context, int) ([]wire.Envelope, int, error) { return nil, 0, nil }
func (r *recorder) Acked(context.Context, []wire.Result) error                { return nil }
func (r *recorder) Receive(_ context.Context, vs []wire.Envelope, cursor uint64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, vs...)
	if cursor != 0 {
		r.cursor = cursor
	}
	return nil
}
func (r *recorder) Cursor() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cursor
}
func (r *recorder) BlobsToSend(context.Context) ([]wire.Hash, error) { return nil, nil }
func (r *recorder) Blob(context.Context, wire.Hash) ([]byte, bool, error) {
	return nil, false, nil
}
func (r *recorder) BlobSent(context.Context, wire.Hash, string) error    { return nil }
func (r *recorder) BlobsToDrop(context.Context) ([]wire.Hash, error)     { return nil, nil }
func (r *recorder) BlobsDropped(context.Context, []wire.Hash) error      { return nil }
func (r *recorder) BlobsWanted(context.Context) ([]wire.Hash, error)     { return nil, nil }
func (r *recorder) BlobFetched(context.Context, wire.Hash, []byte) error { return nil }
