package catalog

// The fields that customers, sites and jobs share: an address, a contact,
// a position.
var (
	addressFields = []Field{
		{Name: "address", Kind: KindString, Doc: "full address"},
		{Name: "addressComplement", Kind: KindString, Doc: "additional address information"},
		{Name: "adressStreet", Kind: KindString, Aliases: []string{"addressStreet"}, Doc: "street"},
		{Name: "adressZIP", Kind: KindString, Aliases: []string{"addressZIP", "addressZip", "zip"}, Doc: "zip code"},
		{Name: "adressCity", Kind: KindString, Aliases: []string{"addressCity", "city"}, Doc: "city"},
		{Name: "adressProvince", Kind: KindString, Aliases: []string{"addressProvince", "province"}, Doc: "province or state"},
		{Name: "adressCountry", Kind: KindString, Aliases: []string{"addressCountry", "country"}, Doc: "country"},
	}
	contactFields = []Field{
		{Name: "contactName", Kind: KindString, Aliases: []string{"contactLastName"}, Doc: "contact last name"},
		{Name: "contactFirstName", Kind: KindString, Doc: "contact first name"},
		{Name: "contactPhone", Kind: KindString, Doc: "contact phone"},
		{Name: "contactMobile", Kind: KindString, Doc: "contact mobile"},
		{Name: "contactEmail", Kind: KindString, Doc: "contact email", Fold: true},
		{Name: "contactFax", Kind: KindString, Doc: "contact fax"},
	}
	positionFields = []Field{
		{Name: "position.latitude", Kind: KindNumber, Aliases: []string{"latitude"}, Doc: "latitude, -90 to 90", Min: "-90", Max: "90"},
		{Name: "position.longitude", Kind: KindNumber, Aliases: []string{"longitude"}, Doc: "longitude, -180 to 180", Min: "-180", Max: "180"},
	}
	tagsField = []Field{{Name: "tags", Kind: KindList, Doc: "tags"}}
)
