package sandbox

import (
	"image"
	"image/color"
	"math"
)

// The portrait's size: a passport photo's 35×45 proportions, at a selfie camera's resolution.
const portraitW, portraitH = 480, 600

// look is how a Face is drawn: what the seed decides beyond what the report says about it.
type look struct {
	skin, hair, eyes, clothes, lips color.RGBA
	hairStyle                       hairStyle
	neckline                        int // 0 crew neck, 1 open collar, 2 V neck
	head                            faceGeom
}

type hairStyle int

const (
	hairSidePart hairStyle = iota
	hairCrew
	hairReceding
	hairBald
	hairFringe
	hairLong
	hairBob
	hairBun
	hairLongFringe
)

// Palettes the seed picks from; they are never modified.
var (
	skinTones = []color.RGBA{
		rgb(0xf6, 0xd5, 0xbc), rgb(0xf1, 0xc2, 0xa0), rgb(0xe3, 0xb0, 0x8a), rgb(0xd3, 0x9c, 0x74),
		rgb(0xc0, 0x86, 0x5e), rgb(0xa0, 0x68, 0x46), rgb(0x80, 0x52, 0x36), rgb(0x5e, 0x3c, 0x2a),
	}
	hairColours = []color.RGBA{
		rgb(0x22, 0x1c, 0x18), rgb(0x3b, 0x28, 0x1c), rgb(0x5e, 0x3e, 0x28), rgb(0x8a, 0x62, 0x3e),
		rgb(0xc8, 0xa0, 0x64), rgb(0x8c, 0x3e, 0x22), rgb(0x2e, 0x24, 0x1e),
	}
	eyeColours = []color.RGBA{
		rgb(0x5a, 0x3a, 0x22), rgb(0x3a, 0x24, 0x16), rgb(0x7a, 0x62, 0x30), rgb(0x46, 0x6e, 0xa0),
		rgb(0x50, 0x78, 0x54), rgb(0x6e, 0x7a, 0x86),
	}
	clothesColours = []color.RGBA{
		rgb(0x24, 0x32, 0x4e), rgb(0x3a, 0x3a, 0x40), rgb(0x6e, 0x22, 0x30), rgb(0x2c, 0x50, 0x3a),
		rgb(0x8a, 0xa8, 0xc8), rgb(0xe8, 0xe8, 0xe4), rgb(0x1c, 0x1c, 0x1e), rgb(0xb8, 0x8a, 0x2e),
	}
)

// faceGeom places the features. Proportions follow the classic thirds: eyes halfway down the head,
// brows a fifth of the half-height above them, nose tip a third below, mouth at 0.6.
type faceGeom struct {
	cx, cy, rx, ry, jaw float64
	eyeDX, eyeW, eyeH   float64
	mouthW              float64
}

func (g faceGeom) eyeY() float64   { return g.cy }
func (g faceGeom) browY() float64  { return g.cy - 0.2*g.ry }
func (g faceGeom) noseY() float64  { return g.cy + 0.36*g.ry }
func (g faceGeom) mouthY() float64 { return g.cy + 0.6*g.ry }

// outline samples the head's outline, grown outwards by grow pixels, at angle a (0 right, π/2
// chin, -π/2 crown). Below the eyes the face narrows towards a jaw of width jaw (0–1).
func (g faceGeom) outline(a, grow float64) pt {
	s, c := math.Sin(a), math.Cos(a)
	w := 1.0
	if s > 0 {
		w = 1 - (1-g.jaw)*math.Pow(s, 2.2)
	}
	return pt{g.cx + (g.rx+grow)*c*w, g.cy + (g.ry+grow)*s}
}

// arc samples the outline from angle a0 to a1.
func (g faceGeom) arc(a0, a1, grow float64, n int) []pt {
	out := make([]pt, n+1)
	for i := range out {
		out[i] = g.outline(a0+(a1-a0)*float64(i)/float64(n), grow)
	}
	return out
}

func lookOf(f Face) look {
	rng := newRand(f.Seed, streamImage)
	tone := rng.IntN(len(skinTones))
	hair := pick(rng, hairColours)
	if tone >= 4 { // darker skin, darker hair: and hair must stand out from skin in any case
		hair = mix(hair, rgb(0x14, 0x10, 0x0e), 0.7)
	}
	lk := look{
		skin:    skinTones[tone],
		hair:    hair,
		eyes:    pick(rng, eyeColours),
		clothes: pick(rng, clothesColours),
		head: faceGeom{
			cx: portraitW / 2, cy: 285, rx: 112 + 12*rng.Float64(), ry: 148 + 12*rng.Float64(),
			jaw: 0.5 + 0.15*rng.Float64(),
		},
		neckline: rng.IntN(3),
	}
	if f.Sex == "F" {
		lk.head.rx -= 8
		lk.hairStyle = pick(rng, []hairStyle{hairLong, hairLong, hairLong, hairBob, hairBob, hairBun, hairLongFringe})
	} else {
		lk.hairStyle = pick(rng, []hairStyle{hairSidePart, hairSidePart, hairCrew, hairCrew, hairFringe})
		if f.Age > 38 && rng.IntN(100) < 35 {
			lk.hairStyle = hairReceding
		}
		if f.Age > 48 && rng.IntN(100) < 15 {
			lk.hairStyle = hairBald
		}
	}
	if f.Age > 48 { // greying starts around fifty and is complete by eighty
		lk.hair = mix(lk.hair, rgb(0xb8, 0xb6, 0xb2), math.Min(1, float64(f.Age-48)/30))
	}
	lk.lips = mix(shade(lk.skin, 0.8), rgb(0xb0, 0x40, 0x48), 0.35)
	if f.Sex == "F" {
		lk.lips = mix(lk.lips, rgb(0xb0, 0x30, 0x44), 0.3)
	}
	g := &lk.head
	g.eyeDX, g.eyeW = g.rx*0.4, g.rx*0.3
	g.eyeH, g.mouthW = g.eyeW*0.42, g.rx*0.36
	return lk
}

// drawPortrait paints the face: an ID photo on a plain backdrop or, for a selfie, a room behind.
func drawPortrait(f Face, selfie, smiling bool) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, portraitW, portraitH))
	lk := lookOf(f)
	if selfie {
		drawRoom(img, f.Seed)
	} else {
		verticalGradient(img, img.Bounds(), rgb(0xe4, 0xe9, 0xee), rgb(0xc8, 0xd2, 0xdc))
	}
	drawTorso(img, lk)
	drawBackHair(img, lk)
	drawNeck(img, lk)
	drawHead(img, lk)
	drawEyes(img, lk)
	drawBrows(img, lk, f)
	drawNose(img, lk)
	if f.Beard {
		drawBeard(img, lk)
	}
	drawMouth(img, lk, smiling)
	if f.Mustache {
		drawMustache(img, lk)
	}
	if f.Age > 40 {
		drawLines(img, lk, math.Min(1, float64(f.Age-40)/30))
	}
	drawFrontHair(img, lk)
	if f.Eyeglasses {
		drawGlasses(img, lk)
	}
	return img
}

// drawRoom is a selfie's background: a wall, a window's light, a door frame.
func drawRoom(img *image.RGBA, seed uint64) {
	rng := newRand(seed, streamImage+100)
	wall := pick(rng, []color.RGBA{rgb(0xd8, 0xcc, 0xb8), rgb(0xc4, 0xcc, 0xc8), rgb(0xcc, 0xc0, 0xc8), rgb(0xe0, 0xd8, 0xcc)})
	verticalGradient(img, img.Bounds(), shade(wall, 1.05), shade(wall, 0.78))
	x := 20 + 260*rng.Float64()
	fillRect(img, x, 40, x+150, 330, alpha(rgb(0xff, 0xfb, 0xf0), 0.45))
	fillRect(img, x+70, 40, x+80, 330, alpha(shade(wall, 0.7), 0.4))
	fillRect(img, 0, 430, portraitW, portraitH, alpha(shade(wall, 0.6), 0.35))
}

func drawTorso(img *image.RGBA, lk look) {
	g := lk.head
	top := g.cy + g.ry + 62
	var p path
	p.moveTo(pt{-10, portraitH + 10})
	p.lineTo(pt{-10, top + 90})
	p.cubeTo(pt{g.cx - g.rx*1.5, top + 10}, pt{g.cx - g.rx*1.1, top - 14}, pt{g.cx - g.rx*0.5, top - 16})
	p.lineTo(pt{g.cx + g.rx*0.5, top - 16})
	p.cubeTo(pt{g.cx + g.rx*1.1, top - 14}, pt{g.cx + g.rx*1.5, top + 10}, pt{portraitW + 10, top + 90})
	p.lineTo(pt{portraitW + 10, portraitH + 10})
	p.close()
	fill(img, &p, lk.clothes)
}

func drawNeck(img *image.RGBA, lk look) {
	g := lk.head
	w := g.rx * 0.42
	top, base := g.cy+0.5*g.ry, g.cy+g.ry+48 // base: where the torso's neckline starts
	var p path
	p.polygon(pt{g.cx - w, top}, pt{g.cx + w, top}, pt{g.cx + w*1.05, base}, pt{g.cx - w*1.05, base})
	fill(img, &p, shade(lk.skin, 0.93))
	switch lk.neckline {
	case 0: // crew neck
		var n path
		n.moveTo(pt{g.cx - w*1.3, base - 4})
		n.quadTo(pt{g.cx, base + 46}, pt{g.cx + w*1.3, base - 4})
		n.lineTo(pt{g.cx + w*1.05, base - 14})
		n.quadTo(pt{g.cx, base + 28}, pt{g.cx - w*1.05, base - 14})
		n.close()
		fill(img, &n, shade(lk.clothes, 0.8))
	case 1: // open shirt collar
		var v path
		v.polygon(pt{g.cx - w*1.05, base - 10}, pt{g.cx, base + 60}, pt{g.cx + w*1.05, base - 10})
		fill(img, &v, shade(lk.skin, 0.93))
		collar := mix(rgb(0xf4, 0xf4, 0xf0), lk.clothes, 0.15)
		var l, r path
		l.polygon(pt{g.cx - w*1.15, base - 22}, pt{g.cx - 6, base + 64}, pt{g.cx - w*1.6, base + 40})
		r.polygon(pt{g.cx + w*1.15, base - 22}, pt{g.cx + 6, base + 64}, pt{g.cx + w*1.6, base + 40})
		fill(img, &l, collar)
		fill(img, &r, collar)
	default: // V neck
		var v path
		v.polygon(pt{g.cx - w*1.1, base - 12}, pt{g.cx, base + 70}, pt{g.cx + w*1.1, base - 12})
		fill(img, &v, shade(lk.skin, 0.93))
	}
	// The chin's shadow on the neck; the head, drawn next, hides all but a crescent.
	fillEllipse(img, pt{g.cx, g.cy + g.ry*0.92}, w*1.05, 30, alpha(rgb(0x30, 0x18, 0x10), 0.16))
}

func drawHead(img *image.RGBA, lk look) {
	g := lk.head
	ear := shade(lk.skin, 0.94)
	for _, side := range []float64{-1, 1} {
		c := pt{g.cx + side*(g.rx-6), g.cy + 0.08*g.ry}
		fillEllipse(img, c, 19, 34, ear)
		fillEllipse(img, pt{c.x + side*3, c.y}, 9, 20, alpha(rgb(0x50, 0x28, 0x18), 0.2))
	}
	var p path
	pts := g.arc(-math.Pi, math.Pi, 0, 96)
	p.polygon(pts...)
	fill(img, &p, lk.skin)
	// Soft light from the left: the right cheek and temple fall into shade, the cheeks blush.
	// The shade is a crescent: the outline's right side, and the same arc moved inwards.
	edge := g.arc(-math.Pi/2.4, math.Pi/2.3, 0, 40)
	inner := make([]pt, len(edge))
	for i, q := range edge {
		inset := 26 * math.Sin(math.Pi*float64(i)/float64(len(edge)-1))
		inner[len(edge)-1-i] = pt{q.x - inset, q.y}
	}
	var side path
	side.polygon(append(edge, inner...)...)
	fill(img, &side, alpha(rgb(0x40, 0x20, 0x10), 0.1))
	blush := alpha(mix(lk.skin, rgb(0xd0, 0x40, 0x40), 0.5), 0.14)
	fillEllipse(img, pt{g.cx - g.eyeDX, g.cy + 0.38*g.ry}, 28, 18, blush)
	fillEllipse(img, pt{g.cx + g.eyeDX, g.cy + 0.38*g.ry}, 28, 18, blush)
}

func drawEyes(img *image.RGBA, lk look) {
	g := lk.head
	for _, side := range []float64{-1, 1} {
		e := pt{g.cx + side*g.eyeDX, g.eyeY()}
		l, r := pt{e.x - g.eyeW/2, e.y + 1}, pt{e.x + g.eyeW/2, e.y + 1}
		top, bottom := pt{e.x, e.y - g.eyeH*1.15}, pt{e.x, e.y + g.eyeH*0.95}
		// A shadow in the socket, then the white of the eye.
		fillEllipse(img, pt{e.x, e.y - 4}, g.eyeW*0.75, g.eyeH*1.6, alpha(rgb(0x50, 0x28, 0x18), 0.1))
		var white path
		white.moveTo(l)
		white.quadTo(top, r)
		white.quadTo(bottom, l)
		white.close()
		fill(img, &white, rgb(0xf4, 0xf2, 0xee))
		fillEllipse(img, pt{e.x, e.y}, g.eyeH*0.95, g.eyeH*0.95, lk.eyes)
		fillEllipse(img, pt{e.x, e.y}, g.eyeH*0.45, g.eyeH*0.45, rgb(0x12, 0x0e, 0x0c))
		fillEllipse(img, pt{e.x - 3, e.y - 3}, 2.6, 2.6, rgb(0xff, 0xff, 0xff))
		// Lids: skin over whatever of the iris spills out of the almond.
		var upper, lower path
		upper.moveTo(l)
		upper.quadTo(top, r)
		upper.lines(pt{r.x + 4, e.y - g.eyeH*2}, pt{l.x - 4, e.y - g.eyeH*2})
		upper.close()
		lower.moveTo(l)
		lower.quadTo(bottom, r)
		lower.lines(pt{r.x + 4, e.y + g.eyeH*2}, pt{l.x - 4, e.y + g.eyeH*2})
		lower.close()
		fill(img, &upper, lk.skin)
		fill(img, &lower, lk.skin)
		stroke(img, quadPoints(pt{l.x - 2, l.y}, pt{top.x, top.y - 1}, pt{r.x + 2, r.y - 1}, 12), 2.2, 3.6, rgb(0x2a, 0x1c, 0x16))
		stroke(img, quadPoints(l, pt{e.x, e.y + g.eyeH*1.1}, r, 10), 0.8, 1.2, alpha(rgb(0x50, 0x30, 0x20), 0.5))
		stroke(img, quadPoints(pt{l.x + 4, e.y - g.eyeH*1.5}, pt{e.x, e.y - g.eyeH*2.1}, pt{r.x - 2, e.y - g.eyeH*1.45}, 10),
			1, 1.4, alpha(rgb(0x50, 0x30, 0x20), 0.35))
	}
}

func drawBrows(img *image.RGBA, lk look, f Face) {
	g := lk.head
	w0, w1 := 9.0, 4.0
	if f.Sex == "F" {
		w0, w1 = 6, 2.5
	}
	brow := shade(lk.hair, 0.85)
	for _, side := range []float64{-1, 1} {
		inner := pt{g.cx + side*(g.eyeDX-g.eyeW*0.62), g.browY() + 4}
		peak := pt{g.cx + side*(g.eyeDX+g.eyeW*0.1), g.browY() - 10}
		outer := pt{g.cx + side*(g.eyeDX+g.eyeW*0.75), g.browY() + 2}
		stroke(img, quadPoints(inner, peak, outer, 14), w0, w1, brow)
	}
}

func drawNose(img *image.RGBA, lk look) {
	g := lk.head
	tip := g.noseY()
	shadow := alpha(rgb(0x50, 0x28, 0x18), 0.28)
	stroke(img, quadPoints(pt{g.cx + 8, g.eyeY() + 10}, pt{g.cx + 15, tip - 20}, pt{g.cx + 14, tip - 2}, 12), 1.5, 3, shadow)
	fillEllipse(img, pt{g.cx, tip}, 15, 9, alpha(rgb(0x50, 0x28, 0x18), 0.1))
	fillEllipse(img, pt{g.cx - 9, tip + 3}, 5.5, 3.2, alpha(rgb(0x30, 0x14, 0x0c), 0.55))
	fillEllipse(img, pt{g.cx + 9, tip + 3}, 5.5, 3.2, alpha(rgb(0x30, 0x14, 0x0c), 0.55))
	stroke(img, quadPoints(pt{g.cx - 20, tip - 4}, pt{g.cx - 22, tip + 7}, pt{g.cx - 10, tip + 9}, 8), 2.2, 1, shadow)
	stroke(img, quadPoints(pt{g.cx + 20, tip - 4}, pt{g.cx + 22, tip + 7}, pt{g.cx + 10, tip + 9}, 8), 2.2, 1, shadow)
	fillEllipse(img, pt{g.cx - 3, tip - 5}, 5, 4, alpha(rgb(0xff, 0xff, 0xff), 0.18))
}

func drawMouth(img *image.RGBA, lk look, smiling bool) {
	g := lk.head
	y, w := g.mouthY(), g.mouthW
	lift, open := 0.0, 2.0
	if smiling {
		lift, open = 6, 9
	}
	l, r := pt{g.cx - w, y - lift}, pt{g.cx + w, y - lift}
	var upper path
	upper.moveTo(l)
	upper.quadTo(pt{g.cx - w*0.45, y - 12}, pt{g.cx, y - 8})
	upper.quadTo(pt{g.cx + w*0.45, y - 12}, r)
	upper.quadTo(pt{g.cx, y + open - 2}, l)
	upper.close()
	fill(img, &upper, shade(lk.lips, 0.92))
	if smiling {
		var teeth path
		teeth.moveTo(pt{l.x + 6, l.y + 1})
		teeth.quadTo(pt{g.cx, y + open}, pt{r.x - 6, r.y + 1})
		teeth.quadTo(pt{g.cx, y + open + 10}, pt{l.x + 6, l.y + 1})
		teeth.close()
		fill(img, &teeth, rgb(0xf2, 0xee, 0xe6))
	}
	var lower path
	lower.moveTo(l)
	lower.quadTo(pt{g.cx, y + open + 1 + 2*lift}, r)
	lower.quadTo(pt{g.cx, y + open + 22 + lift}, l)
	lower.close()
	fill(img, &lower, lk.lips)
	stroke(img, quadPoints(l, pt{g.cx, y + open + 2*lift - 1}, r, 14), 1.6, 1.6, alpha(rgb(0x40, 0x14, 0x14), 0.7))
	fillEllipse(img, pt{g.cx, y + open + 8}, w*0.35, 3, alpha(rgb(0xff, 0xff, 0xff), 0.15))
}
