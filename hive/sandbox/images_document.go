package sandbox

import (
	"hash/fnv"
	"image"
	"image/color"
	"math"
	"strings"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
)

// Document sizes: an ID-1 card (85.6 × 54 mm) and a passport data page (125 × 88 mm), both at
// about 300 dpi as a phone's document capture delivers them.
const (
	cardW, cardH         = 1012, 638
	passportW, passportH = 1250, 880
)

// documentStyle is what a document's country decides about its look.
type documentStyle struct {
	ink, paper  color.RGBA
	localName   string
	localTitle  string // the document's title in the state's language
	englishName string // "IDENTITY CARD" or "PASSPORT"
}

func styleOf(doc Document) documentStyle {
	c, ok := countryByCode(doc.IssuingState)
	if !ok {
		c = fallbackCountry(doc.IssuingState)
	}
	s := documentStyle{ink: c.Ink, paper: c.Paper, localName: c.LocalName, localTitle: c.IDTitle, englishName: "IDENTITY CARD"}
	if doc.Kind == Passport {
		s.localTitle, s.englishName = c.PassportTitle, "PASSPORT"
	}
	return s
}

// documentSeed ties a document's decorations (pattern phases, signature, barcode) to its number.
func documentSeed(doc Document) uint64 {
	h := fnv.New64a()
	h.Write([]byte(doc.IssuingState + doc.Number))
	return h.Sum64()
}

// securityPattern prints the background: the paper's tint and guilloche-like families of fine
// wavy lines, plus a rosette centred on (rx, ry). Each line family is a phase that varies along
// one axis, so most pixels cost a few multiplications rather than trigonometry.
func securityPattern(img *image.RGBA, ink, paper color.RGBA, seed uint64, rx, ry, rr float64) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	rng := newRand(seed, streamImage+7)
	wave := func(n int, freq, amp float64) []float64 {
		ph, out := rng.Float64()*2*math.Pi, make([]float64, n)
		for i := range out {
			out[i] = amp * math.Sin(float64(i)*freq+ph)
		}
		return out
	}
	col1, col2 := wave(w, 0.009+0.004*rng.Float64(), 16+8*rng.Float64()), wave(w, 0.013+0.004*rng.Float64(), 22)
	row := wave(h, 0.011+0.004*rng.Float64(), 18)
	// The paper darkens slightly from left to right; lines are half-strength ink over it.
	base := make([][3]float64, w)
	for x := range base {
		c := mix(paper, shade(paper, 0.94), float64(x)/float64(w))
		base[x] = [3]float64{float64(c.R), float64(c.G), float64(c.B)}
	}
	lineInk := mix(paper, ink, 0.55)
	inkRGB := [3]float64{float64(lineInk.R), float64(lineInk.G), float64(lineInk.B)}
	rr2 := rr * rr
	for y := range h {
		fy := float64(y)
		pix := img.Pix[img.PixOffset(0, y):]
		for x := range w {
			fx := float64(x)
			cov := max(lineCoverage(fy+col1[x], 1.0/12, 12, 1.05),
				0.75*lineCoverage(fy-col2[x]+0.35*fx, 1.0/19, 19, 1),
				0.5*lineCoverage(fx+row[y], 1.0/23, 23, 0.95))
			if dx, dy := fx-rx, fy-ry; dx*dx+dy*dy < rr2 {
				d := math.Sqrt(dx*dx + dy*dy)
				ros := lineCoverage(d+9*math.Sin(14*math.Atan2(dy, dx)), 1.0/9, 9, 1) * (1 - d/rr)
				cov = max(cov, ros)
			}
			k, i := cov*0.5, 4*x
			pix[i] = uint8(base[x][0] + (inkRGB[0]-base[x][0])*k + 0.5)
			pix[i+1] = uint8(base[x][1] + (inkRGB[1]-base[x][1])*k + 0.5)
			pix[i+2] = uint8(base[x][2] + (inkRGB[2]-base[x][2])*k + 0.5)
			pix[i+3] = 0xff
		}
	}
}

// lineCoverage is how much of a pixel at phase v is covered by lines period apart (inv is
// 1/period) and reach pixels from a line's centre to where its edge has faded: 1 on a line, 0 off it.
func lineCoverage(v, inv, period, reach float64) float64 {
	t := (v + 4096) * inv // positive, so truncation is floor, and truncation is one instruction
	d := (0.5 - math.Abs(t-float64(int64(t))-0.5)) * period
	return min(max(reach-d, 0), 1)
}

// roundCorners makes the card's corners transparent outside a radius-r arc, anti-aliased.
func roundCorners(img *image.RGBA, r int) {
	b := img.Bounds()
	for _, c := range []image.Point{{r, r}, {b.Dx() - r, r}, {r, b.Dy() - r}, {b.Dx() - r, b.Dy() - r}} {
		for y := c.Y - r; y < c.Y+r; y++ {
			for x := c.X - r; x < c.X+r; x++ {
				if !(image.Point{x, y}.In(b)) || (x >= r && x < b.Dx()-r) || (y >= r && y < b.Dy()-r) {
					continue
				}
				d := math.Hypot(float64(x)+0.5-float64(c.X), float64(y)+0.5-float64(c.Y))
				cov := min(max(float64(r)-d+0.5, 0), 1)
				i := img.PixOffset(x, y)
				for k := range 4 {
					img.Pix[i+k] = uint8(float64(img.Pix[i+k]) * cov)
				}
			}
		}
	}
}

// placePhoto scales the portrait into r, framed by a hairline.
func placePhoto(img *image.RGBA, portrait image.Image, r image.Rectangle, frame color.RGBA) {
	draw.BiLinear.Scale(img, r, portrait, portrait.Bounds(), draw.Src, nil)
	o := r.Inset(-2)
	for _, side := range []image.Rectangle{
		{o.Min, image.Pt(o.Max.X, r.Min.Y)}, {image.Pt(o.Min.X, r.Max.Y), o.Max},
		{image.Pt(o.Min.X, r.Min.Y), image.Pt(r.Min.X, r.Max.Y)}, {image.Pt(r.Max.X, r.Min.Y), image.Pt(o.Max.X, r.Max.Y)},
	} {
		draw.Draw(img, side, image.NewUniform(frame), image.Point{}, draw.Over)
	}
}

// ghostImage prints the small, faint second portrait that makes a photo swap show.
func ghostImage(img *image.RGBA, portrait image.Image, r image.Rectangle) {
	small := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.BiLinear.Scale(small, small.Bounds(), portrait, portrait.Bounds(), draw.Src, nil)
	for y := range r.Dy() {
		for x := range r.Dx() {
			s := small.RGBAAt(x, y)
			l := (299*float64(s.R) + 587*float64(s.G) + 114*float64(s.B)) / 1000
			d := img.RGBAAt(r.Min.X+x, r.Min.Y+y)
			t := 0.3 * (1 - l/255)
			img.SetRGBA(r.Min.X+x, r.Min.Y+y, mix(d, rgb(0x30, 0x30, 0x38), t))
		}
	}
}

// signature writes a cursive-looking scrawl in ballpoint blue inside r: a prolate cycloid, whose
// loops read as joined letters, each loop's height and width drawn from seed, a taller capital
// first, and a stroke underneath.
func signature(img *image.RGBA, seed uint64, r image.Rectangle) {
	rng := newRand(seed, streamImage+11)
	mid := float64(r.Min.Y+r.Max.Y)/2 + 4
	size := float64(r.Dy()) * 0.28
	x0, width := float64(r.Min.X)+10, float64(r.Dx())*(0.55+0.3*rng.Float64())
	const perLoop = 16
	loops := 5 + rng.IntN(4)
	var pts []pt
	for l := range loops {
		h, w := 0.4+0.8*rng.Float64(), 0.1+0.5*rng.Float64()
		if l == 0 {
			h, w = 1.7, 0.6
		}
		for i := range perLoop {
			u := float64(l*perLoop+i) / float64(loops*perLoop)
			t := 2 * math.Pi * float64(i) / perLoop
			pts = append(pts, pt{x0 + width*u - size*w*math.Sin(t), mid - size*h*math.Cos(t) + 6*u})
		}
	}
	stroke(img, pts, 2.8, 1.6, rgb(0x1c, 0x2c, 0x78))
	end := pts[len(pts)-1]
	stroke(img, quadPoints(pt{end.x - width*0.9, mid + size*1.3}, pt{end.x - width*0.4, mid + size*1.6},
		pt{end.x + 12, mid + size*1.0}, 12), 1.4, 2.4, rgb(0x1c, 0x2c, 0x78))
}

// mrzBand prints the machine readable zone in OCR-style monospace on a clear band at the bottom:
// readers need it free of the background pattern.
func mrzBand(img *image.RGBA, t typefaces, lines []string, top float64, paper color.RGBA) {
	b := img.Bounds()
	fillRect(img, 0, top, float64(b.Dx()), float64(b.Dy()), alpha(shade(paper, 1.04), 0.9))
	margin := float64(b.Dx()) * 0.045
	width := float64(b.Dx()) - 2*margin
	fc := fitted(t.mono, 80, width, strings.Repeat("<", len(lines[0])))
	step := (float64(b.Dy()) - top) / float64(len(lines)+1)
	ink := image.NewUniform(rgb(0x1a, 0x1a, 0x1e))
	for i, l := range lines {
		text(img, fc, margin, top+step*float64(i+1)+step*0.3, l, ink)
	}
}

// field prints a small label above a value, the way data pages do.
type field struct {
	label, value string
	x, y, width  float64
}

func drawFields(img *image.RGBA, t typefaces, st documentStyle, valueSize float64, fields []field) {
	labelFace := face(t.regular, valueSize*0.55)
	labelInk := image.NewUniform(shade(st.ink, 0.85))
	valueInk := image.NewUniform(rgb(0x14, 0x16, 0x1c))
	for _, f := range fields {
		text(img, labelFace, f.x, f.y, f.label, labelInk)
		text(img, fitted(t.bold, valueSize, f.width, f.value), f.x, f.y+valueSize*1.2, f.value, valueInk)
	}
}

// pasteOver reprints value as a forger would: a patch of plain paper with the wrong font on it.
func pasteOver(img *image.RGBA, t typefaces, st documentStyle, f field, size float64) {
	fc := fitted(t.regular, size*1.06, f.width, f.value)
	width := float64(font.MeasureString(fc, f.value)) / 64
	top := f.y + size*0.2
	fillRect(img, f.x-6, top, f.x+width+26, top+size*1.35, alpha(shade(st.paper, 1.03), 0.93))
	text(img, fc, f.x+3, f.y+size*1.26, f.value, image.NewUniform(rgb(0x30, 0x2c, 0x2a)))
}

// upper is how a data page prints names: capitals, accents kept.
func upper(s string) string { return strings.ToUpper(s) }
