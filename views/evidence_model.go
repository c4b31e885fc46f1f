package views

// EvidenceModel is the page that asks why before a check's evidence pack is downloaded.
type EvidenceModel struct {
	CheckID                  string
	CustomerID, CustomerName string
	Complete                 bool   // only a completed check has a report to pack
	Reason, Error            string // what was typed, and why it will not do
	PublicKey, Fingerprint   string // the key that signs packs, for whoever verifies them
}
