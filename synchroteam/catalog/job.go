package catalog

import (
	"context"

	"github.com/stbulk/stbulk/synchroteam"
)

var job = Entity{
	Name: "job", Doc: "jobs, upserted by myId or num",
	Endpoint: "Jobs/Send", Keys: []string{"idJob", "myId", "num"}, IDs: []string{"idJob"}, CustomFields: true,
	Fields: fields([]Field{
		{Name: "idJob", Kind: KindID, Doc: "Synchroteam id"},
		{Name: "myId", Kind: KindString, Doc: "your reference for the job (upsert key)"},
		{Name: "num", Kind: KindInteger, Doc: "job number"},
		{Name: "idJobType", Kind: KindID, Doc: "job type id"},
		{Name: "nmJobType", Kind: KindString, Aliases: []string{"jobType"}, Doc: "job type name", ReadAs: "-"},
		{Name: "idCustomer", Kind: KindID, Aliases: []string{"customerId"}, Doc: "customer id"},
		{Name: "customerMyId", Kind: KindString, Doc: "customer myId"},
		{Name: "customerName", Kind: KindString, Doc: "customer name"},
		{Name: "idSite", Kind: KindID, Aliases: []string{"siteId"}, Doc: "site id"},
		{Name: "siteMyId", Kind: KindString, Doc: "site myId", ReadAs: "-"},
		{Name: "siteName", Kind: KindString, Doc: "site name"},
		{Name: "idEquipment", Kind: KindID, Aliases: []string{"equipmentId"}, Doc: "equipment id"},
		{Name: "equipmentMyId", Kind: KindString, Doc: "equipment myId", ReadAs: "-"},
		{Name: "nameEquipment", Kind: KindString, Aliases: []string{"equipmentName"}, Doc: "equipment name"},
		{Name: "idUser", Kind: KindID, Aliases: []string{"userId"}, Doc: "technician's user id"},
		{Name: "login", Kind: KindString, Doc: "technician's login"},
		{Name: "description", Kind: KindString, Doc: "description"},
		{Name: "priority", Kind: KindInteger, Doc: "0 low, 1 medium, 2 high"},
		{Name: "status", Kind: KindInteger, Doc: "0 created ... 7 canceled"},
		{Name: "scheduledBeginDate", Kind: KindDateTime, Doc: "scheduled start"},
		{Name: "scheduledEndDate", Kind: KindDateTime, Doc: "scheduled end"},
		{Name: "duration", Kind: KindInteger, Doc: "minutes"},
		{Name: "globalAddress", Kind: KindString, Aliases: []string{"address"}, Doc: "address"},
		{Name: "complementAddress", Kind: KindString, Aliases: []string{"addressComplement"}, Doc: "additional address information"},
		{Name: "adressStreet", Kind: KindString, Aliases: []string{"addressStreet"}, Doc: "street"},
		{Name: "adressZIP", Kind: KindString, Aliases: []string{"addressZIP", "addressZip"}, Doc: "zip code"},
		{Name: "adressCity", Kind: KindString, Aliases: []string{"addressCity"}, Doc: "city"},
		{Name: "adressProvince", Kind: KindString, Aliases: []string{"addressProvince"}, Doc: "province"},
		{Name: "adressCountry", Kind: KindString, Aliases: []string{"addressCountry"}, Doc: "country"},
	}, contactFields[:5], positionFields, tagsField),
	Parents: []Link{
		{"customerMyId", &customer, "myId"}, {"idCustomer", &customer, "id"}, {"customerName", &customer, "name"},
		{"siteMyId", &site, "myId"}, {"idSite", &site, "id"}, {"siteName", &site, "name"},
		{"equipmentMyId", &equipment, "myId"}, {"idEquipment", &equipment, "id"}, {"nameEquipment", &equipment, "name"},
		{"login", &user, "login"}, {"idUser", &user, "id"},
	},
	Send: sendTo("Jobs/Send"),
	Read: func(ctx context.Context, c *synchroteam.Client, by synchroteam.Lookup) (any, error) {
		if by.Param == "idJob" {
			by.Param = "id"
		}
		return c.Jobs.Get(ctx, by)
	},
	ReadKeys: []string{"myId", "num", "idJob"},
}
