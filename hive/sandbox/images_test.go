package sandbox

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"testing"

	"github.com/hiveconsole/hiveconsole/hive"
)

func decodePNG(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return img
}

func TestRenderFile(t *testing.T) {
	idCard := NewEvidence(1, testPerson, ScenarioClear, testSubmitted)
	passport := NewEvidence(1, testPerson, ScenarioPassportClear, testSubmitted)
	tests := []struct {
		name string
		ev   Evidence
		kind hive.FileType
		size image.Point
	}{
		{"selfie", idCard, hive.FilePortrait, image.Pt(portraitW, portraitH)},
		{"id_card_front", idCard, hive.FileDocumentFront, image.Pt(cardW, cardH)},
		{"id_card_back", idCard, hive.FileDocumentBack, image.Pt(cardW, cardH)},
		{"passport_page", passport, hive.FileDocumentFront, image.Pt(passportW, passportH)},
		{"dark_selfie", NewEvidence(1, testPerson, ScenarioPoorImageQuality, testSubmitted), hive.FilePortrait, image.Pt(portraitW, portraitH)},
		{"replayed_selfie", NewEvidence(1, testPerson, ScenarioLivenessFailure, testSubmitted), hive.FilePortrait, image.Pt(portraitW, portraitH)},
		{"tampered_card", NewEvidence(1, testPerson, ScenarioTamperedDocument, testSubmitted), hive.FileDocumentFront, image.Pt(cardW, cardH)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, contentType, err := RenderFile(tt.ev, tt.kind)
			if err != nil {
				t.Fatal(err)
			}
			if contentType != "image/png" {
				t.Errorf("content type: got %q, want image/png", contentType)
			}
			if got := decodePNG(t, data).Bounds().Size(); got != tt.size {
				t.Errorf("size: got %v, want %v", got, tt.size)
			}
			if dir := os.Getenv("SANDBOX_IMAGES"); dir != "" { // to look at them: SANDBOX_IMAGES=/tmp go test
				_ = os.WriteFile(dir+"/evidence-"+tt.name+".png", data, 0o644)
			}
		})
	}
}

func TestFiles(t *testing.T) {
	tests := []struct {
		sc   Scenario
		want []hive.FileType
	}{
		{ScenarioClear, []hive.FileType{hive.FilePortrait, hive.FileDocumentFront, hive.FileDocumentBack}},
		{ScenarioPassportClear, []hive.FileType{hive.FilePortrait, hive.FileDocumentFront}},
	}
	for _, tt := range tests {
		t.Run(string(tt.sc), func(t *testing.T) {
			ev := NewEvidence(1, testPerson, tt.sc, testSubmitted)
			if got := ev.Files(); !equalFileTypes(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func equalFileTypes(a, b []hive.FileType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRenderFileRefusesWhatTheCheckLacks(t *testing.T) {
	passport := NewEvidence(1, testPerson, ScenarioPassportClear, testSubmitted)
	for _, kind := range []hive.FileType{hive.FileDocumentBack, "video"} {
		t.Run(string(kind), func(t *testing.T) {
			if _, _, err := RenderFile(passport, kind); !errors.Is(err, ErrNoSuchFile) {
				t.Errorf("got %v, want ErrNoSuchFile", err)
			}
		})
	}
}

func TestRenderingIsDeterministic(t *testing.T) {
	for _, kind := range []hive.FileType{hive.FilePortrait, hive.FileDocumentFront, hive.FileDocumentBack} {
		t.Run(string(kind), func(t *testing.T) {
			render := func(seed uint64) []byte {
				data, _, err := RenderFile(NewEvidence(seed, Person{}, ScenarioClear, testSubmitted), kind)
				if err != nil {
					t.Fatal(err)
				}
				return data
			}
			a, b := render(9), render(9)
			if !bytes.Equal(a, b) {
				t.Errorf("same evidence: got %d and %d different bytes, want identical", len(a), len(b))
			}
			if bytes.Equal(a, render(10)) {
				t.Errorf("another seed: got identical bytes, want another picture")
			}
		})
	}
}

// TestRenderFileConcurrently renders the same images from two goroutines, as a server would: no
// state may be shared between renders.
func TestRenderFileConcurrently(t *testing.T) {
	ev := NewEvidence(6, testPerson, ScenarioClear, testSubmitted)
	want, _, err := RenderFile(ev, hive.FilePortrait)
	if err != nil {
		t.Fatal(err)
	}
	results := make(chan []byte, 4)
	for range 4 {
		go func() {
			data, _, _ := RenderFile(ev, hive.FilePortrait)
			results <- data
		}()
	}
	for i := range 4 {
		if got := <-results; !bytes.Equal(got, want) {
			t.Errorf("render %d: got %d bytes differing from the first render's %d", i, len(got), len(want))
		}
	}
}

// meanLuma is the average brightness of img, 0–255.
func meanLuma(img image.Image) float64 {
	b := img.Bounds()
	var sum float64
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			sum += (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)) / 257
		}
	}
	return sum / float64((b.Dx()+1)/2*((b.Dy()+1)/2))
}

// edges counts horizontal neighbours whose brightness jumps by more than sensor noise could: a
// sharp picture has its outlines there, a blurred one has none.
func edges(img image.Image) int {
	b := img.Bounds()
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X + 1; x < b.Max.X; x++ {
			r0, _, _, _ := img.At(x-1, y).RGBA()
			r1, _, _, _ := img.At(x, y).RGBA()
			if max(r0, r1)-min(r0, r1) > 24*257 {
				n++
			}
		}
	}
	return n
}

func TestSelfieShowsTheScenario(t *testing.T) {
	selfie := func(sc Scenario) image.Image {
		data, _, err := RenderFile(NewEvidence(4, testPerson, sc, testSubmitted), hive.FilePortrait)
		if err != nil {
			t.Fatal(err)
		}
		return decodePNG(t, data)
	}
	clear, poor := selfie(ScenarioClear), selfie(ScenarioPoorImageQuality)
	if got, want := meanLuma(poor), meanLuma(clear)/2; got > want {
		t.Errorf("poor_image_quality brightness: got %.0f, want under %.0f (half of clear)", got, want)
	}
	if got, want := edges(poor), edges(clear)/10; got > want {
		t.Errorf("poor_image_quality edges: got %d, want under %d (a tenth of clear)", got, want)
	}
	mismatch := NewEvidence(4, testPerson, ScenarioFaceMismatch, testSubmitted)
	if mismatch.Selfie.Seed == mismatch.Holder.Seed || mismatch.Selfie.Sex != mismatch.Holder.Sex {
		t.Errorf("face_mismatch: selfie %+v, holder %+v: want another face of the same sex", mismatch.Selfie.Face, mismatch.Holder)
	}
	if same := NewEvidence(4, testPerson, ScenarioClear, testSubmitted); same.Selfie.Face != same.Holder {
		t.Errorf("clear: selfie %+v, holder %+v: want the holder's face", same.Selfie.Face, same.Holder)
	}
}

func BenchmarkRenderFile(b *testing.B) {
	idCard := NewEvidence(1, testPerson, ScenarioClear, testSubmitted)
	cases := []struct {
		name string
		ev   Evidence
		kind hive.FileType
	}{
		{"selfie", idCard, hive.FilePortrait},
		{"poor_selfie", NewEvidence(1, testPerson, ScenarioPoorImageQuality, testSubmitted), hive.FilePortrait},
		{"replayed_selfie", NewEvidence(1, testPerson, ScenarioLivenessFailure, testSubmitted), hive.FilePortrait},
		{"id_front", idCard, hive.FileDocumentFront},
		{"id_back", idCard, hive.FileDocumentBack},
		{"passport", NewEvidence(1, testPerson, ScenarioPassportClear, testSubmitted), hive.FileDocumentFront},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := RenderFile(c.ev, c.kind); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkNewEvidence(b *testing.B) {
	for b.Loop() {
		NewEvidence(1, testPerson, ScenarioClear, testSubmitted)
	}
}
