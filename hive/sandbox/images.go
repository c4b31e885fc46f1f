package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/hiveconsole/hiveconsole/hive"
)

// ImageContentType is the media type of every image the sandbox renders.
const ImageContentType = "image/png"

// ErrNoSuchFile is returned for an image a check does not have: a passport has no back, and the
// sandbox renders only the three file types it knows.
var ErrNoSuchFile = errors.New("sandbox: the check has no such file")

// Files lists the images the check's customer uploaded: the selfie, the document's front and, for
// an identity card, its back.
func (ev Evidence) Files() []hive.FileType {
	files := []hive.FileType{hive.FilePortrait, hive.FileDocumentFront}
	if ev.Document.Kind == IDCard {
		files = append(files, hive.FileDocumentBack)
	}
	return files
}

// RenderFile draws one of the check's images and encodes it: the selfie (portrait), the document's
// front — an ID card, or a passport's data page with its zone — or an ID card's back with its zone.
// The same evidence always gives the same bytes.
func RenderFile(ev Evidence, kind hive.FileType) (data []byte, contentType string, err error) {
	var img *image.RGBA
	switch {
	case kind == hive.FilePortrait:
		img = renderSelfie(ev.Selfie)
	case kind == hive.FileDocumentFront && ev.Document.Kind == Passport:
		img, err = renderPassport(ev.Document, ev.Holder)
	case kind == hive.FileDocumentFront:
		img, err = renderCardFront(ev.Document, ev.Holder)
	case kind == hive.FileDocumentBack && ev.Document.Kind == IDCard:
		img, err = renderCardBack(ev.Document)
	default:
		return nil, "", fmt.Errorf("%w: %q of a %s", ErrNoSuchFile, kind, ev.Document.Kind)
	}
	if err != nil {
		return nil, "", err
	}
	// BestSpeed: these images are cached and served over loopback, so encoding time matters more
	// than the last few per cent of size.
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), ImageContentType, nil
}

// renderSelfie is the camera's picture: a face in a room, dark and soft in poor_image_quality, on
// a phone screen held up to the camera in liveness_failure.
func renderSelfie(s Selfie) *image.RGBA {
	if s.Replayed {
		return replayedSelfie(s)
	}
	img := drawPortrait(s.Face, true, s.Smiling)
	if s.Blurred {
		boxBlur(img, 5)
	}
	if s.Dark {
		underexpose(img, newRand(s.Seed, streamImage+3))
	}
	return img
}

// underexpose darkens the picture as a dim room would, with the sensor noise that comes with it.
func underexpose(img *image.RGBA, rng *rand.Rand) {
	for i := 0; i < len(img.Pix); i += 4 {
		noise := rng.IntN(13) - 6
		for c := range 3 {
			v := int(img.Pix[i+c])*30/100 + noise
			img.Pix[i+c] = uint8(min(max(v, 0), 255))
		}
	}
}

// typefaces are the fonts a document is printed in: the Go fonts, which carry Latin, Greek and
// Cyrillic, and a bold monospace for the machine readable zone.
type typefaces struct {
	regular, bold, mono *opentype.Font
}

// loadTypefaces parses the embedded fonts. It takes microseconds, so each render parses its own and
// no font state outlives a call (font.Face values are not safe for concurrent use anyway).
func loadTypefaces() (typefaces, error) {
	var t typefaces
	for _, f := range []struct {
		dst **opentype.Font
		ttf []byte
	}{{&t.regular, goregular.TTF}, {&t.bold, gobold.TTF}, {&t.mono, gomonobold.TTF}} {
		parsed, err := opentype.Parse(f.ttf)
		if err != nil {
			return typefaces{}, fmt.Errorf("sandbox: parse font: %w", err)
		}
		*f.dst = parsed
	}
	return t, nil
}

// face makes a face of f at size pixels. NewFace fails only on a font it cannot read metrics
// from, which the embedded Go fonts are not; should it ever fail, a crude bitmap face beats no image.
func face(f *opentype.Font, size float64) font.Face {
	fc, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return basicfont.Face7x13
	}
	return fc
}

// text draws s with its baseline's left end at x, y.
func text(dst *image.RGBA, fc font.Face, x, y float64, s string, c image.Image) {
	d := font.Drawer{Dst: dst, Src: c, Face: fc, Dot: fixed.Point26_6{X: fixed.Int26_6(x * 64), Y: fixed.Int26_6(y * 64)}}
	d.DrawString(s)
}

// fitted returns a face of f no larger than size in which s fits width pixels.
func fitted(f *opentype.Font, size, width float64, s string) font.Face {
	fc := face(f, size)
	if w := float64(font.MeasureString(fc, s)) / 64; w > width {
		fc = face(f, size*width/w)
	}
	return fc
}
