package record

// The record types. Each field's rec tag is its schema:
//
//	rec:"name[,option…]"
//
// name is the stored field name (never renamed once released). Options:
//
//	required        must be set: non-blank text, at least one list entry, a date…
//	max=N           text: most characters (per entry for lists); int, money: largest value
//	min=N           int, money: smallest value (min=0: not negative)
//	items=N         lists: most entries (default 20)
//	long            text of up to 4000 characters (notes); otherwise 200 by default
//	enum=a|b|c:lbl  one of the values; ":lbl" overrides the label people read
//	ref=T           the id of a record of type T
//	parent          this ref names the record this one belongs to
//	blob            a blob reference (SHA-256, 64 lowercase hex characters)
//	format=email    an email address
//	label=…         what people call the field, if not its name with spaces
//	unit=…          the unit of an int, shown in messages
//
// Every field is written and merged on its own, so two people editing
// different fields of the same record both keep their edit.

// Client is a household: the people who bring pets in and pay. Class client.
type Client struct {
	Name                  string   `rec:"name,required,max=120"`
	Phones                []string `rec:"phones,max=20,items=10"`
	Emails                []string `rec:"emails,format=email,items=10"`
	Address               string   `rec:"address,max=400"`
	PreferredChannel      string   `rec:"preferred_channel,enum=phone|sms|email|whatsapp|post|none:no contact,label=preferred contact"`
	EmergencyContactName  string   `rec:"emergency_contact_name,max=120"`
	EmergencyContactPhone string   `rec:"emergency_contact_phone,max=20"`
	PreferredGroomer      string   `rec:"preferred_groomer,ref=staff"`
	Preferences           string   `rec:"preferences,long"`
	Notes                 string   `rec:"notes,long"`
	Tags                  []string `rec:"tags,max=40,items=30"`
	MarketingConsent      bool     `rec:"marketing_consent"`
	MarketingConsentDate  Date     `rec:"marketing_consent_date,label=marketing consent date"` // when given or withdrawn
	PhotoConsent          bool     `rec:"photo_consent"`                                       // may before/after photos be shared
	PhotoConsentDate      Date     `rec:"photo_consent_date"`                                  // when given or withdrawn
	DoNotBook             bool     `rec:"do_not_book"`
	DoNotBookReason       string   `rec:"do_not_book_reason,max=400"`
	LegalHold             bool     `rec:"legal_hold"` // keeps all their records from retention's erasure and archive
}

// ContactLog is one call, text, email or conversation with a client. Class client.
type ContactLog struct {
	Client    string  `rec:"client,ref=client,parent,required"`
	When      Instant `rec:"when,required"`
	Channel   string  `rec:"channel,enum=call|text|email|in_person|other,required"`
	Direction string  `rec:"direction,enum=inbound:from the client|outbound:to the client"`
	Summary   string  `rec:"summary,long,required"`
	Author    string  `rec:"author,ref=staff"`
}

// Invoice is a bill to a client, usually for one project. Its lines and
// payments are records of their own. Class client.
type Invoice struct {
	Client   string `rec:"client,ref=client,parent,required"`
	Project  string `rec:"project,ref=project"`
	Number   string `rec:"number,max=40"`
	Issued   Date   `rec:"issued"`
	Due      Date   `rec:"due"`
	Status   string `rec:"status,enum=draft|issued|paid|void,required"`
	TaxRate  int64  `rec:"tax_rate_bp,min=0,max=10000,label=tax rate,unit=hundredths of a percent"` // 2000 = 20%
	Discount Money  `rec:"discount,min=0"`
	// DiscountReason says why: "Loyalty: 6th groom, 20% off".
	DiscountReason string `rec:"discount_reason,max=120,label=discount reason"`
	Notes          string `rec:"notes,long"`
}

// InvoiceLine is one line of an invoice. Class client.
type InvoiceLine struct {
	Invoice     string `rec:"invoice,ref=invoice,parent,required"`
	Position    int64  `rec:"position,min=0,max=10000"` // display order
	Description string `rec:"description,required"`
	Quantity    int64  `rec:"quantity,min=1,max=10000"` // whole units; a new line's form starts at 1
	UnitPrice   Money  `rec:"unit_price,min=0,required"`
}

// Payment is money received against an invoice. Class client.
type Payment struct {
	Invoice   string  `rec:"invoice,ref=invoice,parent,required"`
	Method    string  `rec:"method,enum=cash|card|transfer|other,required"`
	Amount    Money   `rec:"amount,min=0,required"`
	Tip       Money   `rec:"tip,min=0"`
	When      Instant `rec:"when"`
	Reference string  `rec:"reference,max=120"` // card slip or bank reference
	Notes     string  `rec:"notes,max=400"`
}

// AuditEntry records that someone read or took out a client's records on
// one device: opened their card, exported their data, printed an
// invoice. A device writes each entry once and never edits it, and
// chains its entries by hash: Seq numbers them 1, 2, 3… per device and
// Prev holds the hash of the device's entry before (package
// shared/audit). It names the client by id only and is not a record
// below the client, so erasing the client leaves the trail whole. Class
// client: only roles that may read clients see who read them. Its fields
// never change: the chain's hash covers them all.
type AuditEntry struct {
	Action     string  `rec:"action,enum=open:opened the card|export:exported their data|print:printed an invoice,required"`
	Client     string  `rec:"client,ref=client,required"`
	Invoice    string  `rec:"invoice,ref=invoice"` // the invoice printed
	At         Instant `rec:"at,required,label=time"`
	Member     string  `rec:"member,ref=staff,label=person"`
	Login      string  `rec:"login,max=254"`
	Device     string  `rec:"device,required,max=16"` // the device id, 16 hex digits
	DeviceName string  `rec:"device_name,max=120"`
	Seq        int64   `rec:"seq,required,min=1,label=number"`
	Prev       string  `rec:"prev,max=64,label=previous hash"` // hex SHA-256 of the device's entry Seq-1; "" for the first
}

// Pet is one animal of a client and its care facts: what a groomer must know
// to work safely. Class care.
type Pet struct {
	Client                string   `rec:"client,ref=client,parent,required"`
	Name                  string   `rec:"name,required,max=80"`
	Species               string   `rec:"species,enum=dog|cat|rabbit|guinea_pig|ferret|other"`
	Breed                 string   `rec:"breed,max=80"`
	Sex                   string   `rec:"sex,enum=female|male|unknown"`
	Neutered              bool     `rec:"neutered"`
	BirthDate             Date     `rec:"birth_date"`
	WeightGrams           int64    `rec:"weight_grams,min=0,max=200000,label=weight,unit=g"` // as entered with the pet; its Weighings, once it has any, say what it weighs now
	Coat                  string   `rec:"coat,max=60,label=coat type"`
	Colour                string   `rec:"colour,max=60"`
	Photo                 string   `rec:"photo,blob"`
	BehaviourFlags        []string `rec:"behaviour_flags,enum=bites|anxious|senior|matting|reactive|dog_aggressive|noise_sensitive|dryer_sensitive|nail_sensitive|escape_risk|deaf|blind|seizures|muzzle"`
	BehaviourNotes        string   `rec:"behaviour_notes,long"`
	Allergies             []string `rec:"allergies,max=120,items=30"`
	MedicalConditions     []string `rec:"medical_conditions,max=120,items=30"`
	Medications           []string `rec:"medications,max=120,items=30"`
	VetName               string   `rec:"vet_name,max=120"`
	VetPhone              string   `rec:"vet_phone,max=20"`
	GroomingIntervalWeeks int64    `rec:"grooming_interval_weeks,min=0,max=104,label=grooming interval,unit=weeks"` // 0: none; "due again" is computed from it
	GroomingPreferences   string   `rec:"grooming_preferences,long"`
	PreferredStyle        string   `rec:"preferred_style,max=200"`
	PreferredBlade        string   `rec:"preferred_blade,max=60"`
	PreferredShampoo      string   `rec:"preferred_shampoo,max=120"`
	Notes                 string   `rec:"notes,long"`
}

// Vaccination is one vaccination of a pet. Class care.
type Vaccination struct {
	Pet     string `rec:"pet,ref=pet,parent,required"`
	Name    string `rec:"name,required,max=120"`
	Given   Date   `rec:"given,label=date given"`
	Expires Date   `rec:"expires"`
	Proof   string `rec:"proof,blob,label=proof photo"`
	Notes   string `rec:"notes,max=400"`
}

// Weighing is one weighing of a pet: its weight history, kept whole so
// that a groomer sees a pet gaining or losing weight between visits. Class
// care, like the pet's weight and its other care facts.
type Weighing struct {
	Pet   string `rec:"pet,ref=pet,parent,required"`
	Date  Date   `rec:"date,required,label=weighed on"`
	Grams int64  `rec:"grams,required,min=0,max=200000,label=weight,unit=g"` // the same bounds as Pet.WeightGrams
	Note  string `rec:"note,max=400"`
}

// Project is one piece of work for a client: a grooming appointment (one
// visit), a training course (several sessions), or another job. Class project.
type Project struct {
	Client        string   `rec:"client,ref=client,parent,required"`
	Pets          []string `rec:"pets,ref=pet,items=20"`
	Kind          string   `rec:"kind,enum=grooming|training|other,required"`
	Title         string   `rec:"title,required,max=120"`
	Scope         string   `rec:"scope,long"`
	Status        string   `rec:"status,enum=planned|in_progress|done|cancelled|no_show:no-show,required"`
	StatusReason  string   `rec:"status_reason,max=400,label=reason"` // why cancelled or no-show
	Start         Instant  `rec:"start"`
	End           Instant  `rec:"end"`
	Deadline      Date     `rec:"deadline"`
	AssignedStaff []string `rec:"assigned_staff,ref=staff,items=20"`
	Price         Money    `rec:"price,min=0"`
	RepeatWeeks   int64    `rec:"repeat_weeks,min=0,max=104,label=repeat every,unit=weeks"` // 0: does not repeat
	Outcome       string   `rec:"outcome,long"`
	// The client's feedback on a completed visit: a rating from 1 to 5
	// (0: none given) and what they said. Records from before it was
	// kept have neither.
	Rating   int64  `rec:"rating,min=0,max=5,label=client's rating"`
	Feedback string `rec:"feedback,long,label=client's comment"`
}

// Task is one checklist item of a project. Class project.
type Task struct {
	Project  string `rec:"project,ref=project,parent,required"`
	Position int64  `rec:"position,min=0,max=10000"` // display order
	Title    string `rec:"title,required,max=200"`
	Due      Date   `rec:"due"`
	Done     bool   `rec:"done"`
}

// Milestone is a dated goal of a project. Class project.
type Milestone struct {
	Project string `rec:"project,ref=project,parent,required"`
	Title   string `rec:"title,required,max=200"`
	Date    Date   `rec:"date"`
	Reached bool   `rec:"reached"`
}

// ProgressNote records one visit or session of a project. Class project.
type ProgressNote struct {
	Project      string  `rec:"project,ref=project,parent,required"`
	Pet          string  `rec:"pet,ref=pet"` // which pet, when the project has several
	When         Instant `rec:"when"`
	Author       string  `rec:"author,ref=staff"`
	Text         string  `rec:"text,long,label=notes"`
	Condition    string  `rec:"condition,max=400,label=condition on arrival"`
	Blades       string  `rec:"blades,max=120"`
	Combs        string  `rec:"combs,max=120"`
	Style        string  `rec:"style,max=200"`
	Products     string  `rec:"products,max=400"`
	Behaviour    string  `rec:"behaviour,max=400"`
	Incidents    string  `rec:"incidents,long"`
	MinutesTaken int64   `rec:"minutes_taken,min=0,max=1440,label=time taken,unit=minutes"`
}

// Photo is a before, after or other photo. It belongs to a project (Parent)
// or, when taken outside one, directly to a pet; [Validate] requires one of
// the two. The image itself is a sealed blob. Class project.
type Photo struct {
	Project string  `rec:"project,ref=project,parent"`
	Pet     string  `rec:"pet,ref=pet"`
	Kind    string  `rec:"kind,enum=before|after|other,required"`
	Taken   Instant `rec:"taken"`
	Blob    string  `rec:"blob,blob,required,label=image"`
	Caption string  `rec:"caption,max=400"`
}

// SettingsID is the id of a workspace's one [Settings] record, and of its
// one [Info] record: every device writes the same record, so two owners'
// tablets editing settings offline merge field by field.
const SettingsID = "workspace-settings"

// Settings is what the owner sets for the whole workspace: the retention
// policy, the business name, the loyalty rule, the reminder messages
// and how amounts are written. A period of 0 means the default (package
// retention). Class owner: only owners hold its key, so no other role can
// change what retention erases. (Before class owner existed it was class
// project; the owner's device moves it, see package session.)
type Settings struct {
	ClientYears  int64 `rec:"client_years,min=0,max=100,label=keep client records for,unit=years"`
	ArchiveYears int64 `rec:"archive_years,min=0,max=100,label=archive projects after,unit=years"`
	Automatic    bool  `rec:"automatic_erasure,label=erase automatically"` // the owner's tablet runs retention after unlock
	// BusinessName is printed at the top of every invoice.
	BusinessName string `rec:"business_name,max=120,label=business name"`
	// The loyalty rule (package loyalty): every LoyaltyEvery-th groom
	// at LoyaltyPercent off; LoyaltyEvery 0: none.
	LoyaltyEvery   int64 `rec:"loyalty_every,min=0,max=100,label=reward every,unit=grooms"`
	LoyaltyPercent int64 `rec:"loyalty_percent,min=0,max=100,label=loyalty discount,unit=%"`
	// The reminder messages (package remind); blank: the default.
	TemplateAppointment string `rec:"template_appointment,max=600,label=tomorrow's appointment message"`
	TemplateDueAgain    string `rec:"template_due_again,max=600,label=due again message"`
	TemplateVaccination string `rec:"template_vaccination,max=600,label=vaccination due message"`
	// How amounts are typed and shown on every screen: the workspace's
	// currency (blank: that of its latest invoice, else GBP) and number
	// style (blank: point, "1,234.50").
	Currency    string `rec:"currency,max=3,label=currency"`
	NumberStyle string `rec:"number_style,enum=point|comma|space|apostrophe,label=number style"`
}

// Info is what the other roles read of the owner's [Settings]: the
// business name printed on invoices, the archive period that keeps
// archived projects out of the day-to-day lists, the loyalty rule that
// discounts invoices, the reminder messages and how amounts are
// written. The owner's device
// writes it with the settings; nothing erases on it. Class project,
// which the front desk and groomers may write too: only the owner's
// screens change it, but a modified app of theirs could (it gains
// nothing a discount typed on an invoice would not give).
type Info struct {
	ArchiveYears int64  `rec:"archive_years,min=0,max=100,label=archive projects after,unit=years"`
	BusinessName string `rec:"business_name,max=120,label=business name"`
	// The loyalty rule (package loyalty): every LoyaltyEvery-th groom
	// at LoyaltyPercent off; LoyaltyEvery 0: none.
	LoyaltyEvery   int64 `rec:"loyalty_every,min=0,max=100,label=reward every,unit=grooms"`
	LoyaltyPercent int64 `rec:"loyalty_percent,min=0,max=100,label=loyalty discount,unit=%"`
	// The reminder messages (package remind); blank: the default.
	TemplateAppointment string `rec:"template_appointment,max=600,label=tomorrow's appointment message"`
	TemplateDueAgain    string `rec:"template_due_again,max=600,label=due again message"`
	TemplateVaccination string `rec:"template_vaccination,max=600,label=vaccination due message"`
	// How amounts are typed and shown on every screen: the workspace's
	// currency (blank: that of its latest invoice, else GBP) and number
	// style (blank: point, "1,234.50").
	Currency    string `rec:"currency,max=3,label=currency"`
	NumberStyle string `rec:"number_style,enum=point|comma|space|apostrophe,label=number style"`
}

// Deletion is what a retention run leaves behind: when it ran, who ran it,
// and how many records of each class it erased; never whose they were.
// Class owner, and append-only: a device refuses a version that changes
// one it holds. (Before class owner existed it was class client.)
type Deletion struct {
	When           Instant `rec:"when,required"`
	By             string  `rec:"by,ref=staff"`
	Automatic      bool    `rec:"automatic"`
	Clients        int64   `rec:"clients,min=0,max=100000000"`
	ClientRecords  int64   `rec:"client_records,min=0,max=1000000000"`
	CareRecords    int64   `rec:"care_records,min=0,max=1000000000"`
	ProjectRecords int64   `rec:"project_records,min=0,max=1000000000"`
}
