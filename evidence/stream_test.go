package evidence

import (
	"bytes"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// randomBytes returns n deterministic pseudo-random bytes: like image data, they do not compress.
func randomBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{seed}).Read(b)
	return b
}

// repeatingText reads text over and over, without end.
type repeatingText struct {
	text string
	at   int
}

func (r *repeatingText) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		c := copy(b[n:], r.text[r.at:])
		n += c
		r.at = (r.at + c) % len(r.text)
	}
	return n, nil
}

// TestAddStreams: adding 16 MB, stored or deflated, allocates a small fraction of that in all:
// the pack holds its copy buffer, never a file. The input is generated as it is read, so the test
// itself holds none of it either. (The deflated input is text, as deflated files are: random bytes
// would deflate several times slower under the race detector and prove nothing more.)
func TestAddStreams(t *testing.T) {
	// 16 MB is enough to tell: a pack that held a file would allocate it at least once over (it
	// allocated 165 MB for 64 MB when it did), while streaming stays near its 32 KB buffer.
	const size = 16 << 20
	const budget = 4 << 20
	for name, source := range map[string]func() io.Reader{
		"scan.pdf": func() io.Reader { return rand.NewChaCha8([32]byte{1}) },
		"export.txt": func() io.Reader {
			return &repeatingText{text: strings.Repeat("row 12345 viewed by officer@example.com\n", 7)}
		},
	} {
		t.Run(name, func(t *testing.T) {
			p := NewPack(io.Discard, testKey(t), testMeta())
			input := io.LimitReader(source(), size)

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			if err := p.Add(name, input); err != nil {
				t.Fatal(err)
			}
			runtime.ReadMemStats(&after)

			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
			got := after.TotalAlloc - before.TotalAlloc
			t.Logf("Add of %d MB allocated %d bytes", size>>20, got)
			if got > budget {
				t.Errorf("Add of %d MB allocated %d bytes, want under %d", size>>20, got, budget)
			}
			if p.files[0].Size != size {
				t.Errorf("manifest size %d, want %d", p.files[0].Size, size)
			}
		})
	}
}

// BenchmarkPack: a typical pack (a 5 MB document photo, a 2 MB selfie and a small JSON record),
// signed and written to nowhere.
func BenchmarkPack(b *testing.B) {
	key := testKey(b)
	document, selfie := randomBytes(5<<20, 1), randomBytes(2<<20, 2)
	record := customerRecord{ID: "cus_1", Name: "Zoë Example", Email: "zoe@example.com"}
	b.SetBytes(int64(len(document) + len(selfie)))
	b.ReportAllocs()
	for b.Loop() {
		p := NewPack(io.Discard, key, testMeta())
		if err := p.Add("document.jpg", bytes.NewReader(document)); err != nil {
			b.Fatal(err)
		}
		if err := p.Add("selfie.jpg", bytes.NewReader(selfie)); err != nil {
			b.Fatal(err)
		}
		if err := p.AddJSON("customer.json", record); err != nil {
			b.Fatal(err)
		}
		if err := p.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
