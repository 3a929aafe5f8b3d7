package scaffold

// The data of header matching, in English, French, Spanish, German, Italian
// and Portuguese. Entries are written as a user types them: matching
// normalises both sides (case, accents, punctuation, camelCase, N°/No/Nr/#,
// small words such as "de" or "of"), so "N° de série" and "numero_serie"
// are the same entry.
//
// A new entity needs no code here: its fields match by their own names and
// aliases already; synonyms only add the other ways files name them.

// synonyms are other names of fields, keyed by the registry's field names.
// A key "entity:field" applies to that entity only (a customer file's
// "N° client" is its myId; a site file's is the customerMyId of its parent).
var synonyms = map[string][]string{
	// Synchroteam ids: only when the header says so, never for a plain "ID"
	// (an ERP's own id is a myId).
	"id":          {"synchroteam id", "id synchroteam"},
	"customerId":  {"customer synchroteam id", "id synchroteam client"},
	"siteId":      {"site synchroteam id", "id synchroteam site"},
	"idCustomer":  {"customer synchroteam id", "id synchroteam client"},
	"idSite":      {"site synchroteam id", "id synchroteam site"},
	"idJob":       {"job synchroteam id", "id synchroteam job"},
	"idUser":      {"user synchroteam id", "id synchroteam technicien"},
	"idEquipment": {"equipment synchroteam id"},

	"myId": {"code", "id", "ref", "reference", "my id", "num", "identifier", "identifiant", "code interne",
		"internal code", "codigo", "kennung", "nummer", "codice", "numero", "codigo interno", "external id"},
	"customer:myId": {"customer code", "customer number", "customer id", "customer ref", "account number", "account",
		"code client", "num client", "numero client", "ref client", "reference client", "id client", "compte client",
		"codigo cliente", "num cliente", "numero de cliente", "id cliente",
		"kundennummer", "kunden nr", "kundennr", "kunde nr", "kunden id", "debitor", "debitorennummer",
		"codice cliente", "num cliente", "id cliente", "numero cliente", "codigo do cliente"},
	"site:myId": {"site code", "site number", "code site", "num site", "codigo sitio", "standort nr",
		"standortnummer", "codice sede", "codigo local", "code chantier", "code adresse"},
	"equipment:myId": {"equipment code", "asset code", "asset id", "asset number", "code equipement",
		"num equipement", "code materiel", "codigo equipo", "anlagennummer", "geratenummer", "geraet nr",
		"codice apparecchio", "codigo equipamento"},
	"job:myId": {"job ref", "job code", "ref intervention", "code intervention", "num intervention",
		"referencia orden", "auftragsnummer", "riferimento intervento"},

	"name": {"name", "nom", "nombre", "nome", "label", "libelle", "designation", "denomination", "title", "titre"},
	"customer:name": {"company", "company name", "customer name", "business name", "legal name", "societe",
		"raison sociale", "nom client", "client", "entreprise", "razon social", "empresa", "nombre cliente",
		"cliente", "firma", "firmenname", "kunde", "kundenname", "ragione sociale", "azienda",
		"denominazione", "razao social", "nome cliente"},
	"site:name": {"site name", "nom site", "nom du site", "nombre sitio", "standortname", "nome sede", "nome do local"},
	"equipment:name": {"equipment", "equipment name", "asset", "asset name", "equipement", "materiel", "appareil",
		"equipo", "gerat", "anlage", "apparecchio", "equipamento"},
	"part:name": {"description", "descripcion", "bezeichnung", "artikelbezeichnung", "descrizione", "descricao",
		"designation article", "libelle article", "product name", "item name"},
	"activity_type:name": {"activity", "activity type", "type", "activite", "type activite", "actividad",
		"tipo actividad", "aktivitat", "attivita", "atividade"},

	"address": {"full address", "adresse complete", "direccion completa", "vollstandige adresse",
		"indirizzo completo", "endereco completo"},
	"addressComplement": {"street 2", "address 2", "address line 2", "adresse 2", "complement", "complement adresse",
		"complement d adresse", "direccion 2", "adresszusatz", "zusatz", "indirizzo 2", "complemento", "building",
		"batiment"},
	"adressStreet": {"street", "address 1", "address line 1", "street address", "adresse", "adresse 1", "rue", "voie",
		"calle", "direccion", "direccion 1", "domicilio", "strasse", "strasse hausnummer", "anschrift",
		"via", "indirizzo", "indirizzo 1", "rua", "endereco", "morada"},
	"adressZIP": {"zip", "zip code", "postcode", "postal code", "post code", "code postal", "cp", "codigo postal",
		"plz", "postleitzahl", "cap", "codice postale", "codigo postal", "cep"},
	"adressCity": {"city", "town", "ville", "localite", "commune", "ciudad", "localidad", "poblacion", "municipio",
		"ort", "stadt", "citta", "comune", "localita", "cidade", "localidade", "concelho"},
	"adressProvince": {"state", "province", "region", "county", "departement", "provincia", "estado", "comunidad",
		"bundesland", "kanton", "regione", "distrito"},
	"adressCountry": {"country", "country code", "pays", "code pays", "pais", "codigo pais", "land", "landercode",
		"paese", "nazione", "codice paese"},

	"contactName": {"contact", "contact name", "contact last name", "nom contact", "contacto", "apellido contacto",
		"ansprechpartner", "kontakt", "nachname kontakt", "referente", "cognome referente", "contato",
		"nome contato"},
	"contactFirstName": {"contact first name", "prenom contact", "prenom", "nombre contacto", "vorname",
		"vorname kontakt", "nome referente", "primeiro nome"},
	"contactPhone": {"phone", "telephone", "tel", "phone number", "telefono", "telefon", "telefonnummer",
		"numero di telefono", "telefone", "fixe", "telephone fixe"},
	"contactMobile": {"mobile", "cell", "cell phone", "mobile phone", "portable", "telephone portable", "gsm",
		"movil", "celular", "handy", "mobil", "mobiltelefon", "cellulare", "telemovel", "telefone celular"},
	"contactEmail": {"email", "e mail", "mail", "email address", "courriel", "adresse mail", "adresse email",
		"correo", "correo electronico", "e mail adresse", "posta elettronica", "indirizzo email", "correio eletronico"},
	"contactFax":         {"fax", "telecopie", "telefax"},
	"position.latitude":  {"lat", "latitud", "breitengrad", "breite", "latitudine"},
	"position.longitude": {"lng", "lon", "long", "longitud", "langengrad", "lange", "longitudine"},
	"tags": {"tags", "tag", "labels", "etiquettes", "etiquette", "mots cles", "familles", "famille", "etiquetas",
		"schlagworte", "schlagworter", "etichette", "categories"},

	"customerMyId": {"customer code", "customer number", "customer ref", "customer id", "code client",
		"num client", "numero client", "ref client", "id client", "codigo cliente", "num cliente",
		"kundennummer", "kunden nr", "kundennr", "codice cliente", "numero cliente",
		"codigo do cliente"},
	"customerName": {"customer name", "nom client", "raison sociale client", "nombre cliente", "kundenname",
		"nome cliente"},
	"siteMyId": {"site code", "site number", "site ref", "code site", "num site", "site id", "codigo sitio",
		"standort nr", "codice sede", "codigo local"},
	"siteName":      {"site name", "nom site", "nom du site", "nombre sitio", "standortname", "nome sede"},
	"equipmentMyId": {"equipment code", "asset code", "code equipement", "codigo equipo", "anlagennummer"},
	"nameEquipment": {"equipment name", "nom equipement", "nombre equipo"},

	"reference": {"reference", "ref", "code", "sku", "part number", "part no", "item code", "product code",
		"code article", "ref article", "article", "num article", "codigo", "referencia", "codigo articulo",
		"artikelnummer", "artikel nr", "artikel", "materialnummer", "codice articolo", "riferimento", "codice",
		"referencia do artigo", "codigo artigo"},
	"price": {"price", "unit price", "sale price", "prix", "prix ht", "prix unitaire", "prix de vente", "tarif",
		"precio", "precio unitario", "pvp", "preis", "verkaufspreis", "einzelpreis", "prezzo", "prezzo unitario",
		"preco", "preco unitario", "amount"},
	"categoryName": {"category", "categorie", "famille article", "categoria", "kategorie", "warengruppe", "gruppo"},
	"minQuantity":  {"min stock", "minimum stock", "stock mini", "stock minimum", "seuil", "stock minimo", "mindestbestand", "scorta minima", "estoque minimo"},
	"tracked":      {"tracked", "stock tracked", "suivi stock", "suivi", "gere en stock", "control stock", "lagergefuhrt", "gestito a magazzino", "controle estoque"},
	"serializable": {"serialized", "serial tracked", "serialise", "numero de serie obligatoire", "serializado", "serialisiert", "serializzato"},

	"depot": {"depot", "warehouse", "store", "stock location", "entrepot", "magasin", "almacen", "bodega",
		"lager", "lagerort", "magazzino", "deposito", "armazem"},
	"quantity": {"quantity", "qty", "stock", "on hand", "quantite", "qte", "stock disponible", "cantidad", "existencias",
		"menge", "bestand", "anzahl", "quantita", "giacenza", "quantidade"},
	"serials": {"serial", "serials", "serial number", "serial no", "num serie", "numero serie", "n serie",
		"numero de serie", "num de serie", "seriennummer", "serien nr", "numero di serie", "matricola",
		"numero de serie"},

	"login": {"login", "username", "user name", "user", "identifiant", "utilisateur", "usuario", "benutzer",
		"benutzername", "utente", "nome utente", "utilizador"},
	"firstName": {"first name", "firstname", "given name", "prenom", "nombre", "vorname", "nome", "primeiro nome"},
	"lastName":  {"last name", "surname", "family name", "nom", "nom de famille", "apellido", "apellidos", "nachname", "cognome", "sobrenome", "apelido"},
	"email":     {"email", "e mail", "mail", "courriel", "correo", "correo electronico", "posta elettronica", "correio eletronico"},
	"phone":     {"phone", "mobile", "telephone", "tel", "portable", "telefono", "movil", "telefon", "handy", "cellulare", "telefone", "telemovel"},
	"language":  {"language", "lang", "langue", "idioma", "sprache", "lingua"},
	"profile":   {"profile", "role", "profil", "perfil", "rolle", "profilo", "ruolo", "funcao"},
	"skilledTrades": {"skills", "skilled trades", "trades", "competences", "metiers", "habilidades", "oficios",
		"fahigkeiten", "kompetenzen", "competenze", "competencias"},
	"groups":                   {"groups", "group", "team", "teams", "equipe", "groupe", "groupes", "grupo", "grupos", "gruppe", "gruppen", "squadra", "gruppo", "equipa"},
	"startLocation.fullAdress": {"start address", "start location", "home address", "adresse de depart", "adresse domicile", "direccion de salida", "startadresse", "indirizzo di partenza", "endereco de partida"},

	"color":      {"color", "colour", "couleur", "farbe", "colore", "cor"},
	"hasConflit": {"conflict", "conflicts", "conflit", "conflits", "conflicto", "konflikt", "conflitto", "conflito"},

	"num":                {"job number", "job num", "num intervention", "numero intervention", "numero de orden", "auftragsnr", "numero intervento"},
	"nmJobType":          {"job type", "type intervention", "tipo de orden", "auftragsart", "tipo intervento"},
	"description":        {"description", "details", "descripcion", "beschreibung", "descrizione", "descricao", "commentaire", "notes"},
	"priority":           {"priority", "priorite", "prioridad", "prioritat", "priorita", "prioridade"},
	"status":             {"status", "statut", "etat", "estado", "stato"},
	"scheduledBeginDate": {"start", "start date", "scheduled start", "begin", "date debut", "debut", "date intervention", "fecha inicio", "beginn", "startdatum", "data inizio", "data de inicio"},
	"scheduledEndDate":   {"end", "end date", "scheduled end", "date fin", "fin", "fecha fin", "ende", "enddatum", "data fine", "data de fim"},
	"duration":           {"duration", "duree", "duracion", "dauer", "durata", "duracao"},
	"globalAddress":      {"full address", "adresse complete", "adresse intervention"},

	"job.num":       {"job number", "job num", "num intervention", "numero intervention"},
	"job.myId":      {"job ref", "job code", "ref intervention", "code intervention"},
	"customer.myId": {"customer code", "code client", "num client", "codigo cliente", "kundennummer", "codice cliente"},
	"file":          {"file", "path", "file path", "fichier", "chemin", "archivo", "ruta", "datei", "pfad", "file name", "percorso", "arquivo", "caminho"},
	"fileName":      {"title", "attachment name", "titre", "nom piece jointe", "titulo", "titel", "titolo"},
}

// entityWords are the words by which headers name an entity: a header
// holding one of its own entity's words is matched without it ("Code
// client" is a customer's "code"), and a column holding a parent's word
// may name that parent.
var entityWords = map[string][]string{
	"customer":      {"customer", "client", "clients", "cliente", "kunde", "kunden", "account"},
	"site":          {"site", "sites", "sitio", "standort", "sede", "local", "chantier"},
	"equipment":     {"equipment", "equipement", "asset", "materiel", "equipo", "gerat", "anlage", "apparecchio", "equipamento"},
	"part":          {"part", "parts", "article", "articles", "articulo", "artikel", "articolo", "artigo", "item", "product", "produit", "piece"},
	"part_price":    {"part", "article", "articulo", "artikel", "articolo", "artigo", "item", "product", "produit"},
	"inventory":     {"inventory", "inventaire", "inventario", "inventur"},
	"user":          {"user", "utilisateur", "usuario", "benutzer", "utente", "utilizador", "technician", "technicien", "tecnico", "techniker"},
	"activity_type": {"activity", "activite", "actividad", "aktivitat", "attivita", "atividade"},
	"job":           {"job", "intervention", "orden", "auftrag", "intervento", "ordem"},
	"attachment":    {"attachment", "piece jointe", "adjunto", "anhang", "allegato", "anexo"},
}

// stopWords are dropped from headers before matching.
var stopWords = []string{"de", "du", "des", "la", "le", "les", "l", "d", "of", "the", "del", "der", "die", "das", "di", "da", "do", "dos", "el", "los", "en"}

// numberWords, alone or before "°", "º", "#", ".", stand for "number":
// "N° client", "No. client", "Nr. Kunde", "# client" are "num client".
var numberWords = []string{"n", "no", "nr", "nro", "num", "numero", "number", "nb", "nummer", "#"}
