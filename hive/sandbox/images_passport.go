package sandbox

import (
	"image"
	"math"

	"golang.org/x/image/draw"
)

// renderPassport draws a passport's data page: state and title, type, code and number across the
// top, the photo with a signature under it, the personal data, and the two-line zone at the foot.
func renderPassport(doc Document, holder Face) (*image.RGBA, error) {
	t, err := loadTypefaces()
	if err != nil {
		return nil, err
	}
	st := styleOf(doc)
	seed := documentSeed(doc)
	img := image.NewRGBA(image.Rect(0, 0, passportW, passportH))
	securityPattern(img, st.ink, st.paper, seed, 900, 380, 300)

	inkText := image.NewUniform(shade(st.ink, 0.9))
	text(img, fitted(t.bold, 32, 760, st.localName), 50, 58, st.localName, inkText)
	title := st.englishName
	if st.localTitle != "" && st.localTitle != st.englishName {
		title = st.localTitle + " / " + st.englishName
	}
	text(img, fitted(t.regular, 24, 760, title), 50, 96, title, inkText)
	emblem(img, t, pt{passportW - 90, 66}, 40, doc.IssuingState, shade(st.ink, 0.9))
	fillRect(img, 50, 114, passportW-50, 117, alpha(st.ink, 0.6))

	portrait := drawPortrait(holder, false, false)
	placePhoto(img, portrait, image.Rect(50, 150, 370, 550), shade(st.ink, 0.8))
	text(img, face(t.regular, 15), 50, 580, "Holder's signature", inkText)
	signature(img, seed, image.Rect(50, 588, 370, 670))
	ghostImage(img, portrait, image.Rect(1060, 470, 1180, 620))

	const x0, x1, size = 410, 800, 30.0
	fields := []field{
		{"Type", "P", x0, 140, 60},
		{"Code of issuing state", doc.IssuingState, x0 + 110, 140, 200},
		{"Passport No.", doc.Number, x1, 140, 300},
		{"1. Surname", upper(doc.Surname), x0, 212, 780},
		{"2. Given names", upper(doc.GivenNames), x0, 284, 780},
		{"3. Nationality", upper(doc.CountryName), x0, 356, 360},
		{"4. Date of birth", dotted(doc.DateOfBirth), x1, 356, 300},
		{"5. Sex", doc.Sex, x0, 428, 80},
		{"6. Place of birth", upper(doc.PlaceOfBirth), x0 + 110, 428, 260},
		{"7. Date of issue", dotted(doc.DateOfIssue), x0, 500, 360},
		{"8. Date of expiry", dotted(doc.DateOfExpiry), x1, 500, 300},
	}
	if doc.PersonalNumber != "" {
		fields = append(fields, field{"9. Personal no.", doc.PersonalNumber, x0, 572, 360})
	}
	drawFields(img, t, st, size, fields)
	if doc.Tampered {
		pasteOver(img, t, st, fields[3], size)
	}
	mrzBand(img, t, doc.MRZ, 700, st.paper)
	return img, nil
}

// replayedSelfie is a liveness attack: the camera sees the ID-style portrait on a phone screen held
// in front of it, with the screen's bezel, its moiré and a glare across the glass.
func replayedSelfie(s Selfie) *image.RGBA {
	img := drawPortrait(s.Face, true, false)
	boxBlur(img, 8) // the room behind, out of focus as the camera focuses on the phone
	var bezel path
	bezel.roundRect(70, 40, 410, 590, 40, 40)
	fill(img, &bezel, rgb(0x16, 0x16, 0x18))
	screen := image.Rect(88, 84, 392, 548)
	shown := drawPortrait(s.Face, false, s.Smiling)
	draw.BiLinear.Scale(img, screen, shown, shown.Bounds(), draw.Src, nil)
	for y := screen.Min.Y; y < screen.Max.Y; y++ {
		for x := screen.Min.X; x < screen.Max.X; x++ {
			// Moiré: the camera's pixel grid beating against the screen's.
			m := 0.95 + 0.05*math.Sin(float64(x)*1.7+float64(y)*0.6)
			// Glare: a soft diagonal band of reflected light.
			g := math.Max(0, 1-math.Abs(float64(x-screen.Min.X)-0.6*float64(y-screen.Min.Y)-60)/70) * 0.35
			i := img.PixOffset(x, y)
			for c := range 3 {
				v := float64(img.Pix[i+c])*m*(1-g) + 255*g
				img.Pix[i+c] = uint8(math.Min(255, v))
			}
		}
	}
	fillEllipse(img, pt{240, 62}, 34, 7, rgb(0x08, 0x08, 0x0a)) // the speaker slot
	return img
}
