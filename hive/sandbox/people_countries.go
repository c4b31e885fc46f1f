package sandbox

import (
	"image/color"
	"strings"
)

// country is what the sandbox knows of a nationality: enough to name people, number their phones
// and documents, place their devices and colour their cards. The table is never modified.
type country struct {
	Code      string // ICAO alpha-3
	Alpha2    string // ISO 3166 alpha-2, as device geolocation reports it
	Name      string // English, as the report's country_name
	LocalName string // as printed on documents
	Locale    string // browser language
	UTCOffset string // standard time, as a browser reports region_timezone
	DialCode  string
	Mobiles   []string // national mobile numbers: '#' is any digit; only ranges libphonenumber holds valid
	City      string   // where devices are located
	Lat, Lon  float64
	Births    []string // places of birth

	IDTitle        string // local title of the identity card; "" when the state issues none
	PassportTitle  string
	IDNumber       string // document number patterns: '@' a letter, '#' a digit, '*' either
	PassportNumber string
	IDYears        int // validity of an adult's identity card
	Personal       personalNumberKind

	MiddleNames float64 // share of people with a middle name
	TwoSurnames bool    // Iberian custom: father's and mother's surnames
	Ink, Paper  color.RGBA

	Male, Female []string
	Surnames     []string // "male|female" where the surname has a feminine form
}

// countries lists the nationalities the generator draws from, roughly Hive's European customer base
// and a few beyond it.
var countries = []country{
	{
		Code: "EST", Alpha2: "EE", Name: "Estonia", LocalName: "EESTI", Locale: "et-EE", UTCOffset: "+02:00",
		DialCode: "+372", Mobiles: []string{"5#######"}, City: "Tallinn", Lat: 59.43696, Lon: 24.75353,
		Births: []string{"Tallinn", "Tartu", "Pärnu", "Narva"}, IDTitle: "ISIKUTUNNISTUS", PassportTitle: "PASS",
		IDNumber: "A@#######", PassportNumber: "K#######", IDYears: 5, Personal: personalEstonia,
		MiddleNames: 0.15, Ink: rgb(0x1f, 0x4e, 0x99), Paper: rgb(0xe6, 0xee, 0xf7),
		Male:     []string{"Jaak", "Kristjan", "Martin", "Rasmus", "Siim", "Tõnu", "Mart", "Andres", "Karl", "Priit", "Jüri", "Indrek"},
		Female:   []string{"Kadri", "Liis", "Mari", "Triin", "Kätlin", "Piret", "Anu", "Kristiina", "Eha", "Helen", "Maarja", "Ülle"},
		Surnames: []string{"Tamm", "Saar", "Sepp", "Mägi", "Kask", "Kukk", "Rebane", "Ilves", "Pärn", "Koppel", "Lepik", "Jõeorg", "Kuusk", "Vaher", "Raudsepp"},
	},
	{
		Code: "DEU", Alpha2: "DE", Name: "Germany", LocalName: "BUNDESREPUBLIK DEUTSCHLAND", Locale: "de-DE", UTCOffset: "+01:00",
		DialCode: "+49", Mobiles: []string{"151########", "160#######", "170#######", "176########"}, City: "Berlin", Lat: 52.52000, Lon: 13.40495,
		Births: []string{"Berlin", "Hamburg", "München", "Köln", "Leipzig"}, IDTitle: "PERSONALAUSWEIS", PassportTitle: "REISEPASS",
		IDNumber: "L********", PassportNumber: "C********", IDYears: 10,
		MiddleNames: 0.25, Ink: rgb(0x2e, 0x6b, 0x5e), Paper: rgb(0xe9, 0xf2, 0xee),
		Male:     []string{"Lukas", "Jonas", "Felix", "Maximilian", "Jürgen", "Thomas", "Stefan", "Andreas", "Michael", "Tobias", "Matthias", "Uwe"},
		Female:   []string{"Anna", "Lena", "Sophie", "Katrin", "Julia", "Sabine", "Jana", "Claudia", "Marie", "Lea", "Birgit", "Ursula"},
		Surnames: []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Schröder"},
	},
	{
		Code: "FRA", Alpha2: "FR", Name: "France", LocalName: "RÉPUBLIQUE FRANÇAISE", Locale: "fr-FR", UTCOffset: "+01:00",
		DialCode: "+33", Mobiles: prefixed(9, "60", "61", "62", "64", "65", "66", "67", "68", "73", "74", "75", "76", "77", "78"), City: "Paris", Lat: 48.85661, Lon: 2.35222,
		Births: []string{"Paris", "Lyon", "Marseille", "Toulouse", "Nantes"}, IDTitle: "CARTE NATIONALE D'IDENTITÉ", PassportTitle: "PASSEPORT",
		IDNumber: "*********", PassportNumber: "##@@#####", IDYears: 10,
		MiddleNames: 0.3, Ink: rgb(0x2b, 0x3f, 0x8c), Paper: rgb(0xec, 0xee, 0xf8),
		Male:     []string{"Jean", "Pierre", "Louis", "Hugo", "Lucas", "Mathieu", "Nicolas", "Julien", "Étienne", "François", "Théo", "Antoine"},
		Female:   []string{"Marie", "Camille", "Léa", "Chloé", "Manon", "Inès", "Émilie", "Sophie", "Claire", "Hélène", "Amélie", "Céline"},
		Surnames: []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Lefèvre", "Girard", "Fournier", "Lambert", "Bonnet", "Rousseau"},
	},
	{
		Code: "ESP", Alpha2: "ES", Name: "Spain", LocalName: "REINO DE ESPAÑA", Locale: "es-ES", UTCOffset: "+01:00",
		DialCode: "+34", Mobiles: prefixed(9, "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "71", "72", "73", "74"), City: "Madrid", Lat: 40.41678, Lon: -3.70379,
		Births: []string{"Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao"}, IDTitle: "DOCUMENTO NACIONAL DE IDENTIDAD", PassportTitle: "PASAPORTE",
		IDNumber: "@@@######", PassportNumber: "P@@######", IDYears: 10, Personal: personalSpain,
		MiddleNames: 0.15, TwoSurnames: true, Ink: rgb(0x9c, 0x2a, 0x2a), Paper: rgb(0xf7, 0xec, 0xe6),
		Male:     []string{"José", "Antonio", "Manuel", "Francisco", "Javier", "David", "Daniel", "Alejandro", "Pablo", "Sergio", "Álvaro", "Íñigo"},
		Female:   []string{"María", "Carmen", "Lucía", "Laura", "Ana", "Isabel", "Marta", "Elena", "Paula", "Sofía", "Cristina", "Begoña"},
		Surnames: []string{"García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Muñoz", "Álvarez"},
	},
	{
		Code: "ITA", Alpha2: "IT", Name: "Italy", LocalName: "REPUBBLICA ITALIANA", Locale: "it-IT", UTCOffset: "+01:00",
		DialCode: "+39", Mobiles: prefixed(10, "31", "32", "33", "34", "35", "36", "37", "38", "39"), City: "Rome", Lat: 41.90278, Lon: 12.49637,
		Births: []string{"Roma", "Milano", "Napoli", "Torino", "Bologna"}, IDTitle: "CARTA D'IDENTITÀ", PassportTitle: "PASSAPORTO",
		IDNumber: "C@#####@@", PassportNumber: "Y@#######", IDYears: 10,
		MiddleNames: 0.1, Ink: rgb(0x1d, 0x6b, 0x45), Paper: rgb(0xee, 0xf5, 0xea),
		Male:     []string{"Marco", "Alessandro", "Giuseppe", "Luca", "Francesco", "Matteo", "Lorenzo", "Andrea", "Davide", "Niccolò", "Giovanni", "Stefano"},
		Female:   []string{"Giulia", "Chiara", "Francesca", "Sara", "Martina", "Alessia", "Valentina", "Elena", "Federica", "Beatrice", "Ilaria", "Silvia"},
		Surnames: []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa"},
	},
	{
		Code: "PRT", Alpha2: "PT", Name: "Portugal", LocalName: "REPÚBLICA PORTUGUESA", Locale: "pt-PT", UTCOffset: "+00:00",
		DialCode: "+351", Mobiles: []string{"91#######", "92#######", "93#######", "96#######"}, City: "Lisbon", Lat: 38.72225, Lon: -9.13934,
		Births: []string{"Lisboa", "Porto", "Braga", "Coimbra"}, IDTitle: "CARTÃO DE CIDADÃO", PassportTitle: "PASSAPORTE",
		IDNumber: "#########", PassportNumber: "@@######", IDYears: 10, Personal: personalDigits8,
		MiddleNames: 0.5, TwoSurnames: true, Ink: rgb(0x6a, 0x2c, 0x70), Paper: rgb(0xf3, 0xec, 0xf4),
		Male:     []string{"João", "Tiago", "Rodrigo", "Diogo", "Gonçalo", "Miguel", "Pedro", "Rui", "Nuno", "André", "Luís", "Bruno"},
		Female:   []string{"Beatriz", "Inês", "Mariana", "Ana", "Joana", "Catarina", "Sofia", "Leonor", "Margarida", "Rita", "Sónia", "Conceição"},
		Surnames: []string{"Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins", "Sousa", "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques", "Almeida", "Ribeiro"},
	},
	{
		Code: "NLD", Alpha2: "NL", Name: "Netherlands", LocalName: "KONINKRIJK DER NEDERLANDEN", Locale: "nl-NL", UTCOffset: "+01:00",
		DialCode: "+31", Mobiles: prefixed(9, "61", "62", "63", "64", "65", "68"), City: "Amsterdam", Lat: 52.36757, Lon: 4.90414,
		Births: []string{"Amsterdam", "Rotterdam", "Utrecht", "Den Haag"}, IDTitle: "IDENTITEITSKAART", PassportTitle: "PASPOORT",
		IDNumber: "@@******#", PassportNumber: "@@******#", IDYears: 10, Personal: personalNetherlands,
		MiddleNames: 0.3, Ink: rgb(0x1b, 0x4f, 0x8a), Paper: rgb(0xe8, 0xf0, 0xf6),
		Male:     []string{"Daan", "Sem", "Lucas", "Jan", "Pieter", "Bram", "Thijs", "Ruben", "Joris", "Sander", "Maarten", "Willem"},
		Female:   []string{"Emma", "Julia", "Sophie", "Anouk", "Fleur", "Sanne", "Lotte", "Eva", "Iris", "Femke", "Noor", "Marieke"},
		Surnames: []string{"de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters"},
	},
	{
		Code: "POL", Alpha2: "PL", Name: "Poland", LocalName: "RZECZPOSPOLITA POLSKA", Locale: "pl-PL", UTCOffset: "+01:00",
		DialCode: "+48", Mobiles: prefixed(9, "50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79"), City: "Warsaw", Lat: 52.22977, Lon: 21.01178,
		Births: []string{"Warszawa", "Kraków", "Łódź", "Wrocław", "Gdańsk"}, IDTitle: "DOWÓD OSOBISTY", PassportTitle: "PASZPORT",
		IDNumber: "@@@######", PassportNumber: "@@#######", IDYears: 10, Personal: personalPoland,
		MiddleNames: 0.1, Ink: rgb(0xa3, 0x2b, 0x3c), Paper: rgb(0xf8, 0xec, 0xee),
		Male:   []string{"Jakub", "Kacper", "Piotr", "Krzysztof", "Tomasz", "Paweł", "Łukasz", "Michał", "Marcin", "Wojciech", "Mateusz", "Grzegorz"},
		Female: []string{"Anna", "Zuzanna", "Julia", "Katarzyna", "Małgorzata", "Agnieszka", "Magdalena", "Joanna", "Aleksandra", "Monika", "Ewa", "Dorota"},
		Surnames: []string{"Nowak", "Kowalski|Kowalska", "Wiśniewski|Wiśniewska", "Wójcik", "Kowalczyk", "Kamiński|Kamińska",
			"Lewandowski|Lewandowska", "Zieliński|Zielińska", "Szymański|Szymańska", "Woźniak", "Dąbrowski|Dąbrowska", "Kozłowski|Kozłowska", "Mazur"},
	},
	{
		Code: "CZE", Alpha2: "CZ", Name: "Czechia", LocalName: "ČESKÁ REPUBLIKA", Locale: "cs-CZ", UTCOffset: "+01:00",
		DialCode: "+420", Mobiles: prefixed(9, "601", "602", "603", "604", "605", "606", "607", "608", "72", "73", "77", "79"), City: "Prague", Lat: 50.07554, Lon: 14.43780,
		Births: []string{"Praha", "Brno", "Ostrava", "Plzeň"}, IDTitle: "OBČANSKÝ PRŮKAZ", PassportTitle: "CESTOVNÍ PAS",
		IDNumber: "#########", PassportNumber: "########", IDYears: 10, Personal: personalCzechia,
		MiddleNames: 0.05, Ink: rgb(0x22, 0x4b, 0x7a), Paper: rgb(0xea, 0xef, 0xf5),
		Male:   []string{"Jan", "Jakub", "Tomáš", "Petr", "Lukáš", "Martin", "Jiří", "Ondřej", "Vojtěch", "Pavel", "David", "Michal"},
		Female: []string{"Tereza", "Eliška", "Anna", "Kateřina", "Lucie", "Veronika", "Petra", "Jana", "Markéta", "Barbora", "Klára", "Hana"},
		Surnames: []string{"Novák|Nováková", "Svoboda|Svobodová", "Novotný|Novotná", "Dvořák|Dvořáková", "Černý|Černá", "Procházka|Procházková",
			"Kučera|Kučerová", "Veselý|Veselá", "Horák|Horáková", "Němec|Němcová", "Pokorný|Pokorná", "Král|Králová"},
	},
	{
		Code: "SWE", Alpha2: "SE", Name: "Sweden", LocalName: "SVERIGE", Locale: "sv-SE", UTCOffset: "+01:00",
		DialCode: "+46", Mobiles: []string{"70#######", "72#######", "73#######", "76#######"}, City: "Stockholm", Lat: 59.32932, Lon: 18.06858,
		Births: []string{"Stockholm", "Göteborg", "Malmö", "Uppsala"}, IDTitle: "NATIONELLT IDENTITETSKORT", PassportTitle: "PASS",
		IDNumber: "########", PassportNumber: "########", IDYears: 5, Personal: personalSweden,
		MiddleNames: 0.5, Ink: rgb(0x1e, 0x5a, 0x96), Paper: rgb(0xec, 0xf2, 0xf8),
		Male:     []string{"Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Oskar", "Nils", "Gustav", "Björn", "Måns", "Linus"},
		Female:   []string{"Anna", "Maria", "Eva", "Karin", "Sara", "Elin", "Ingrid", "Astrid", "Maja", "Linnéa", "Åsa", "Sofia"},
		Surnames: []string{"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson", "Lindqvist", "Sjöberg", "Åberg", "Lindström", "Bergström", "Holm"},
	},
	{
		Code: "FIN", Alpha2: "FI", Name: "Finland", LocalName: "SUOMI FINLAND", Locale: "fi-FI", UTCOffset: "+02:00",
		DialCode: "+358", Mobiles: []string{"40#######", "44#######", "50#######"}, City: "Helsinki", Lat: 60.16986, Lon: 24.93838,
		Births: []string{"Helsinki", "Espoo", "Tampere", "Turku"}, IDTitle: "HENKILÖKORTTI", PassportTitle: "PASSI",
		IDNumber: "#########", PassportNumber: "@@#######", IDYears: 5, Personal: personalFinland,
		MiddleNames: 0.6, Ink: rgb(0x18, 0x4d, 0x8f), Paper: rgb(0xea, 0xf1, 0xf8),
		Male:     []string{"Mikko", "Juha", "Timo", "Jari", "Antti", "Ville", "Eero", "Jussi", "Matti", "Aleksi", "Oskari", "Väinö"},
		Female:   []string{"Aino", "Helmi", "Sanna", "Laura", "Tiina", "Johanna", "Emilia", "Elina", "Minna", "Päivi", "Kaisa", "Sofia"},
		Surnames: []string{"Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Saarinen", "Salminen", "Heinonen", "Niemi"},
	},
	{
		Code: "GBR", Alpha2: "GB", Name: "United Kingdom", LocalName: "UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND", Locale: "en-GB", UTCOffset: "+00:00",
		DialCode: "+44", Mobiles: prefixed(10, "740", "741", "742", "743", "744", "771", "772", "773", "774", "775", "776", "777", "794", "795"), City: "London", Lat: 51.50735, Lon: -0.12776,
		Births: []string{"London", "Manchester", "Birmingham", "Leeds", "Glasgow"}, PassportTitle: "PASSPORT",
		PassportNumber: "#########", MiddleNames: 0.4, Ink: rgb(0x5a, 0x1f, 0x3a), Paper: rgb(0xf4, 0xec, 0xef),
		Male:     []string{"Oliver", "George", "Harry", "Jack", "James", "William", "Thomas", "Daniel", "Matthew", "Samuel", "Edward", "Callum"},
		Female:   []string{"Olivia", "Amelia", "Isla", "Emily", "Charlotte", "Sophie", "Jessica", "Grace", "Hannah", "Eleanor", "Lucy", "Chloe"},
		Surnames: []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Hughes"},
	},
	{
		Code: "IRL", Alpha2: "IE", Name: "Ireland", LocalName: "ÉIRE IRELAND", Locale: "en-IE", UTCOffset: "+00:00",
		DialCode: "+353", Mobiles: []string{"83#######", "85#######", "86#######", "87#######"}, City: "Dublin", Lat: 53.34981, Lon: -6.26031,
		Births: []string{"Dublin", "Cork", "Galway", "Limerick"}, PassportTitle: "PAS",
		PassportNumber: "P@#######", MiddleNames: 0.3, Ink: rgb(0x1f, 0x6b, 0x3a), Paper: rgb(0xea, 0xf4, 0xec),
		Male:     []string{"Seán", "Conor", "Cian", "Darragh", "Liam", "Oisín", "Patrick", "Eoin", "Ciarán", "Niall", "Aidan", "Rory"},
		Female:   []string{"Aoife", "Siobhán", "Niamh", "Ciara", "Saoirse", "Róisín", "Sinéad", "Orla", "Emma", "Aisling", "Clodagh", "Méabh"},
		Surnames: []string{"Murphy", "Kelly", "O'Sullivan", "Walsh", "Smith", "O'Brien", "Byrne", "Ryan", "O'Connor", "O'Neill", "Reilly", "Doyle", "McCarthy", "Gallagher", "Doherty", "Kennedy"},
	},
	{
		Code: "USA", Alpha2: "US", Name: "United States", LocalName: "UNITED STATES OF AMERICA", Locale: "en-US", UTCOffset: "-05:00",
		DialCode: "+1", Mobiles: []string{"21255501##", "31255501##", "41555501##", "61755501##", "20655501##", "51255501##"},
		City: "New York", Lat: 40.71278, Lon: -74.00597, Births: []string{"New York", "Illinois", "California", "Texas", "Ohio"},
		PassportTitle: "PASSPORT", PassportNumber: "@########", MiddleNames: 0.7, Ink: rgb(0x1c, 0x2f, 0x5e), Paper: rgb(0xec, 0xee, 0xf4),
		Male:     []string{"James", "Michael", "Robert", "John", "David", "William", "Christopher", "Joshua", "Andrew", "Ethan", "Tyler", "Brandon"},
		Female:   []string{"Mary", "Jennifer", "Jessica", "Ashley", "Emily", "Sarah", "Madison", "Elizabeth", "Hannah", "Megan", "Lauren", "Abigail"},
		Surnames: []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson"},
	},
	{
		Code: "BRA", Alpha2: "BR", Name: "Brazil", LocalName: "REPÚBLICA FEDERATIVA DO BRASIL", Locale: "pt-BR", UTCOffset: "-03:00",
		DialCode: "+55", Mobiles: []string{"119########", "219########", "319########"}, City: "São Paulo", Lat: -23.55052, Lon: -46.63331,
		Births: []string{"São Paulo", "Rio de Janeiro", "Belo Horizonte", "Salvador"}, IDTitle: "CARTEIRA DE IDENTIDADE", PassportTitle: "PASSAPORTE",
		IDNumber: "#########", PassportNumber: "@@######", IDYears: 10, Personal: personalBrazil,
		MiddleNames: 0.3, TwoSurnames: true, Ink: rgb(0x1e, 0x6a, 0x4a), Paper: rgb(0xed, 0xf5, 0xe8),
		Male:     []string{"João", "Gabriel", "Lucas", "Pedro", "Rafael", "Gustavo", "Felipe", "Matheus", "Thiago", "Bruno", "Vinícius", "Leandro"},
		Female:   []string{"Ana", "Maria", "Juliana", "Fernanda", "Larissa", "Camila", "Beatriz", "Letícia", "Mariana", "Gabriela", "Aline", "Patrícia"},
		Surnames: []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Araújo", "Barbosa"},
	},
	{
		Code: "TUR", Alpha2: "TR", Name: "Turkey", LocalName: "TÜRKİYE CUMHURİYETİ", Locale: "tr-TR", UTCOffset: "+03:00",
		DialCode: "+90", Mobiles: []string{"53########", "54########", "55########"}, City: "Istanbul", Lat: 41.00824, Lon: 28.97836,
		Births: []string{"İstanbul", "Ankara", "İzmir", "Bursa"}, IDTitle: "KİMLİK KARTI", PassportTitle: "PASAPORT",
		IDNumber: "@##@#####", PassportNumber: "U########", IDYears: 10, Personal: personalTurkey,
		MiddleNames: 0.1, Ink: rgb(0xa8, 0x24, 0x2c), Paper: rgb(0xf8, 0xeb, 0xeb),
		Male:     []string{"Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "Emre", "Burak", "Murat", "Can", "Çağrı", "Oğuz"},
		Female:   []string{"Ayşe", "Fatma", "Zeynep", "Elif", "Emine", "Merve", "Büşra", "Özlem", "Şule", "Derya", "Gül", "İrem"},
		Surnames: []string{"Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara"},
	},
	{
		Code: "UKR", Alpha2: "UA", Name: "Ukraine", LocalName: "УКРАЇНА UKRAINE", Locale: "uk-UA", UTCOffset: "+02:00",
		DialCode: "+380", Mobiles: []string{"50#######", "63#######", "67#######", "93#######", "97#######"}, City: "Kyiv", Lat: 50.45010, Lon: 30.52340,
		Births: []string{"Kyiv", "Lviv", "Kharkiv", "Odesa"}, IDTitle: "ПАСПОРТ ГРОМАДЯНИНА УКРАЇНИ", PassportTitle: "ПАСПОРТ",
		IDNumber: "#########", PassportNumber: "@@######", IDYears: 10, Personal: personalUkraine,
		Ink: rgb(0x1f, 0x55, 0x96), Paper: rgb(0xf4, 0xf1, 0xe2),
		Male:     []string{"Oleksandr", "Andrii", "Dmytro", "Serhii", "Volodymyr", "Mykola", "Taras", "Bohdan", "Yurii", "Ivan", "Maksym", "Vitalii"},
		Female:   []string{"Olena", "Iryna", "Nataliia", "Oksana", "Tetiana", "Yuliia", "Kateryna", "Anastasiia", "Mariia", "Svitlana", "Halyna", "Viktoriia"},
		Surnames: []string{"Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk", "Boiko", "Koval", "Oliinyk", "Marchenko", "Lysenko", "Rudenko", "Savchenko", "Petrenko", "Moroz", "Tkachuk"},
	},
}

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 0xff} }

// countryByCode finds a nationality by its ICAO code. A code the table lacks still gets a country,
// named by its code and issuing passports, so a customer of any nationality can be checked.
func countryByCode(code string) (country, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	for _, c := range countries {
		if c.Code == code {
			return c, true
		}
	}
	return country{}, false
}

// fallbackCountry stands in for a nationality the table lacks: named by its code, issuing only
// passports, its devices reporting no country (an alpha-2 cannot be told from an alpha-3: AUT is
// AT, not AU). Names, phones and places are borrowed from the first entry.
func fallbackCountry(code string) country {
	c := countries[0]
	c.Code, c.Alpha2, c.Name, c.LocalName, c.Locale = code, "", code, code, "en-GB"
	c.IDTitle, c.PassportTitle, c.PassportNumber, c.Personal = "", "PASSPORT", "@@#######", personalNone
	c.Births = []string{code}
	c.Ink, c.Paper = rgb(0x33, 0x44, 0x55), rgb(0xee, 0xee, 0xee)
	return c
}

// prefixed lists mobile number patterns of length digits, one per prefix: where a country's valid
// mobile ranges are scattered, listing the prefixes keeps every number in one of them.
func prefixed(length int, prefixes ...string) []string {
	out := make([]string, len(prefixes))
	for i, p := range prefixes {
		out[i] = p + strings.Repeat("#", length-len(p))
	}
	return out
}

// surnameFor returns the form of a "male|female" surname that fits sex ("M" or "F").
func surnameFor(entry, sex string) string {
	male, female, ok := strings.Cut(entry, "|")
	if ok && sex == "F" {
		return female
	}
	return male
}
