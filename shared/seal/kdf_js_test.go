//go:build js && wasm

package seal

import "testing"

// In a browser, the derivation takes the memory prepared for it, and
// does not keep it (46 MB); memory prepared for other parameters stays
// for them.
func TestPreparedMemoryIsUsed(t *testing.T) {
	pass, salt := []byte("correct horse battery staple"), []byte("pawfile-salt-016")
	Prepare(DefaultParams)
	prepared.Lock()
	ready := prepared.ready
	prepared.Unlock()
	if ready == nil {
		t.Fatal("nothing is being prepared")
	}
	<-ready
	prepared.Lock()
	made := prepared.mem != nil
	prepared.Unlock()
	if !made {
		t.Fatal("the memory was not made")
	}
	if _, err := Derive(pass, salt, DefaultParams); err != nil {
		t.Fatal(err)
	}
	prepared.Lock()
	left := prepared.ready != nil || prepared.mem != nil
	prepared.Unlock()
	if left {
		t.Error("the derivation left the prepared memory behind")
	}

	other := DefaultParams
	other.Memory *= 2
	Prepare(other)
	if _, err := Derive(pass, salt, DefaultParams); err != nil {
		t.Fatal(err)
	}
	if m := takePrepared(other); m == nil {
		t.Error("a derivation took the memory prepared for other parameters")
	}
}
