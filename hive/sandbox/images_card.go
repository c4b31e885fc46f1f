package sandbox

import (
	"image"
	"image/color"
	"math"
	"strings"
)

// renderCardFront draws an identity card's front: a coloured header with the state and the title,
// the holder's photo and signature, the personal data and a ghost image.
func renderCardFront(doc Document, holder Face) (*image.RGBA, error) {
	t, err := loadTypefaces()
	if err != nil {
		return nil, err
	}
	st := styleOf(doc)
	seed := documentSeed(doc)
	img := image.NewRGBA(image.Rect(0, 0, cardW, cardH))
	securityPattern(img, st.ink, st.paper, seed, 760, 380, 230)
	cardHeader(img, t, st, doc.IssuingState)

	portrait := drawPortrait(holder, false, false)
	placePhoto(img, portrait, image.Rect(36, 128, 296, 453), shade(st.ink, 0.8))
	text(img, face(t.regular, 14), 36, 482, "Signature / Holder", image.NewUniform(shade(st.ink, 0.85)))
	signature(img, seed, image.Rect(36, 488, 296, 560))
	ghostImage(img, portrait, image.Rect(846, 392, 966, 542))

	const x0, size = 330, 30.0
	fields := []field{
		{"1. Surname", upper(doc.Surname), x0, 142, 640},
		{"2. Given names", upper(doc.GivenNames), x0, 214, 640},
		{"3. Sex", doc.Sex, x0, 286, 80},
		{"4. Nationality", doc.Nationality, x0 + 110, 286, 140},
		{"5. Date of birth", dotted(doc.DateOfBirth), x0 + 290, 286, 250},
		{"6. Document no.", doc.Number, x0, 358, 260},
		{"7. Date of expiry", dotted(doc.DateOfExpiry), x0 + 290, 358, 250},
	}
	if doc.PersonalNumber != "" {
		fields = append(fields, field{"8. Personal no.", doc.PersonalNumber, x0, 430, 260})
	}
	drawFields(img, t, st, size, fields)
	if doc.Tampered {
		pasteOver(img, t, st, fields[0], size)
	}
	if doc.CardAccessNumber != "" {
		text(img, face(t.mono, 22), 800, 604, "CAN "+doc.CardAccessNumber, image.NewUniform(rgb(0x22, 0x22, 0x26)))
	}
	roundCorners(img, 36)
	return img, nil
}

// cardHeader is the band across the top of a card: state and title on the left, an emblem right.
func cardHeader(img *image.RGBA, t typefaces, st documentStyle, code string) {
	var band path
	band.polygon(pt{0, 0}, pt{cardW, 0}, pt{cardW, 92}, pt{cardW * 0.6, 104}, pt{0, 98})
	fill(img, &band, alpha(st.ink, 0.94))
	white := image.NewUniform(rgb(0xff, 0xff, 0xff))
	text(img, fitted(t.bold, 30, 800, st.localName), 36, 44, st.localName, white)
	title := st.englishName
	if st.localTitle != "" && st.localTitle != st.englishName {
		title = st.localTitle + " / " + st.englishName
	}
	text(img, fitted(t.regular, 20, 800, title), 36, 78, title, image.NewUniform(rgb(0xe8, 0xee, 0xf6)))
	emblem(img, t, pt{cardW - 70, 48}, 34, code, rgb(0xff, 0xff, 0xff))
}

// emblem is the state's code in a ring: of twelve stars for a member of the European Union, as
// its documents print them, of two lines for any other state.
func emblem(img *image.RGBA, t typefaces, c pt, r float64, code string, ink color.RGBA) {
	gold := rgb(0xf2, 0xc9, 0x4c)
	if strings.Contains(euMembers, code) {
		for i := range 12 {
			a := 2 * math.Pi * float64(i) / 12
			star(img, pt{c.x + r*math.Cos(a), c.y + r*math.Sin(a)}, 4.5, gold)
		}
	} else {
		for _, rad := range []float64{r, r - 6} {
			var ring path
			ring.polygon(roundRectPoints(c.x-rad-1.5, c.y-rad-1.5, c.x+rad+1.5, c.y+rad+1.5, rad+1.5)...)
			ring.polygon(reverse(roundRectPoints(c.x-rad+1.5, c.y-rad+1.5, c.x+rad-1.5, c.y+rad-1.5, rad-1.5))...)
			fill(img, &ring, gold)
		}
	}
	fc := fitted(t.bold, 20, r*1.3, code)
	text(img, fc, c.x-r*0.62, c.y+7, code, image.NewUniform(ink))
}

// euMembers are the states of the table whose documents carry the European Union's stars.
const euMembers = "EST DEU FRA ESP ITA PRT NLD POL CZE SWE FIN IRL"

func star(img *image.RGBA, c pt, r float64, col color.RGBA) {
	pts := make([]pt, 10)
	for i := range pts {
		rad := r
		if i%2 == 1 {
			rad = r * 0.45
		}
		a := -math.Pi/2 + math.Pi*float64(i)/5
		pts[i] = pt{c.x + rad*math.Cos(a), c.y + rad*math.Sin(a)}
	}
	var p path
	p.polygon(pts...)
	fill(img, &p, col)
}

// renderCardBack draws an identity card's back: the chip, issue data, a barcode and the three-line
// machine readable zone.
func renderCardBack(doc Document) (*image.RGBA, error) {
	t, err := loadTypefaces()
	if err != nil {
		return nil, err
	}
	st := styleOf(doc)
	seed := documentSeed(doc)
	img := image.NewRGBA(image.Rect(0, 0, cardW, cardH))
	securityPattern(img, st.ink, st.paper, seed+1, 640, 210, 200)
	chip(img, pt{60, 58})
	fields := []field{
		{"9. Date of issue", dotted(doc.DateOfIssue), 240, 70, 240},
		{"10. Place of birth", upper(doc.PlaceOfBirth), 240, 142, 240},
		{"11. Issuing state", upper(doc.CountryName), 240, 214, 240},
	}
	if doc.CardAccessNumber != "" {
		fields = append(fields, field{"Card access number", doc.CardAccessNumber, 520, 214, 200})
	}
	drawFields(img, t, st, 26, fields)
	barcode(img, seed, image.Rect(560, 50, 950, 150))
	mrzBand(img, t, doc.MRZ, 420, st.paper)
	roundCorners(img, 36)
	return img, nil
}

// chip draws the gold contact plate of a smart card.
func chip(img *image.RGBA, at pt) {
	var p path
	p.roundRect(at.x, at.y, at.x+128, at.y+100, 16, 16)
	fill(img, &p, rgb(0xd9, 0xb5, 0x5a))
	line := rgb(0x9a, 0x78, 0x2c)
	for _, y := range []float64{at.y + 33, at.y + 67} {
		stroke(img, []pt{{at.x, y}, {at.x + 128, y}}, 2.5, 2.5, line)
	}
	stroke(img, []pt{{at.x + 64, at.y}, {at.x + 64, at.y + 33}}, 2.5, 2.5, line)
	stroke(img, []pt{{at.x + 64, at.y + 67}, {at.x + 64, at.y + 100}}, 2.5, 2.5, line)
	var core path
	core.roundRect(at.x+40, at.y+26, at.x+88, at.y+74, 8, 8)
	fill(img, &core, rgb(0xe6, 0xc8, 0x76))
}

// barcode prints bars whose widths come from seed: it looks the part and encodes nothing.
func barcode(img *image.RGBA, seed uint64, r image.Rectangle) {
	rng := newRand(seed, streamImage+13)
	fillRect(img, float64(r.Min.X), float64(r.Min.Y), float64(r.Max.X), float64(r.Max.Y), rgb(0xfa, 0xfa, 0xf8))
	x := float64(r.Min.X) + 12
	for x < float64(r.Max.X)-16 {
		w := float64(1 + rng.IntN(4))
		fillRect(img, x, float64(r.Min.Y)+10, x+w*1.5, float64(r.Max.Y)-10, rgb(0x10, 0x10, 0x12))
		x += w*1.5 + float64(1+rng.IntN(3))*1.5
	}
}
