//go:build !js

package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestReminderTemplates (issue 17): the owner (1024×768) edits the
// message for tomorrow's appointments with a finger; one with {tiem} is
// refused with a message naming it; the preview shows the new text with
// sample values; once saved, the front desk's Reminders screen (820×1180,
// a second profile) sends the new text. Reset to default brings the
// default back on both.
func TestReminderTemplates(t *testing.T) {
	srv := startServer(t)
	owner, desk := ownerAndDesk(t, srv, "")
	tomorrow := time.Now().AddDate(0, 0, 1)
	owner.openClient("Margaret Lockwood")
	owner.addPet("Bella", "")
	owner.book("Full groom", func() {
		owner.setDate("date", tomorrow.Format("2006-01-02"))
		owner.setDate("start", "10:30")
	})

	owner.ownerScreen("Business settings")
	owner.waitText("Reminder messages", 20*time.Second)
	owner.waitValue("template-appointment", "Hello {client}, a reminder that {pet} is booked on {date} at {time}. Reply if you need to change it.", 10*time.Second)
	owner.fill("template-appointment", "{pet} is booked {date} at {tiem}, {client}. See you!")
	owner.waitText("an unknown placeholder {tiem}; use only {client} {pet} {date} {time} {business}", 10*time.Second)
	owner.tapButton("Save messages")
	owner.waitText("Tomorrow's appointment: an unknown placeholder {tiem}", 10*time.Second)
	checkScreenAt(owner, "templates-refused", "#template-appointment")
	owner.fill("template-appointment", "{pet} is booked {date} at {time}, {client}. See you!")
	owner.waitText("Preview: Bella is booked Tue 9 Jun at 10:30, Ann Lee. See you!", 10*time.Second)
	owner.tapButton("Save messages")
	owner.waitText("Messages saved", 20*time.Second)
	checkScreenAt(owner, "templates-saved", "#templates-title")

	want := "Bella is booked " + tomorrow.Format("Mon 2 Jan") + " at 10:30, Margaret Lockwood. See you!"
	desk.tapLink("Due")
	desk.tapLink("Reminders")
	desk.waitText(want, 60*time.Second)
	desk.checkScreen("reminders-own-message")

	owner.tap(`//button[@aria-label="Reset to default: Tomorrow's appointment"]`)
	owner.waitValue("template-appointment", "Hello {client}, a reminder that {pet} is booked on {date} at {time}. Reply if you need to change it.", 10*time.Second)
	owner.tapButton("Save messages")
	owner.waitText("Messages saved", 20*time.Second)
	desk.waitText("Hello Margaret Lockwood, a reminder that Bella is booked", 60*time.Second)
	if strings.Contains(desk.text(), want) {
		t.Errorf("the desk still shows the owner's old message")
	}
}
