<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="nl">
<context>
    <name>AccountPage</name>
    <message>
        <source>Your account</source>
        <translation>Uw account</translation>
    </message>
    <message>
        <source>Colleagues see your display name. Choose a long password that you use nowhere else.</source>
        <translation>Collega’s zien uw weergavenaam. Kies een lang wachtwoord dat u nergens anders gebruikt.</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>&amp;Gebruikersnaam:</translation>
    </message>
    <message>
        <source>&amp;Display name:</source>
        <translation>&amp;Weergavenaam:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>Wacht&amp;woord:</translation>
    </message>
    <message>
        <source>&amp;Repeat password:</source>
        <translation>Wachtwoord &amp;herhalen:</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Gebruikersnaam</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>Weergavenaam</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Wachtwoord</translation>
    </message>
    <message>
        <source>Repeat password</source>
        <translation>Wachtwoord herhalen</translation>
    </message>
    <message>
        <source>Password strength</source>
        <translation>Sterkte van het wachtwoord</translation>
    </message>
    <message>
        <source>The passwords do not match.</source>
        <translation>De wachtwoorden zijn niet gelijk.</translation>
    </message>
</context>
<context>
    <name>AdminPage</name>
    <message>
        <source>Organisation</source>
        <translation>Organisatie</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>Vernie&amp;uwen</translation>
    </message>
    <message>
        <source>Read the lists again now (F5). They also refresh by themselves.</source>
        <translation>Lees de lijsten nu opnieuw in (F5). Ze vernieuwen ook vanzelf.</translation>
    </message>
    <message>
        <source>Refresh the lists of the organisation</source>
        <translation>De lijsten van de organisatie vernieuwen</translation>
    </message>
    <message>
        <source>Counsellors</source>
        <translation>Vertrouwenspersonen</translation>
    </message>
    <message>
        <source>Organisation codes</source>
        <translation>Organisatiecodes</translation>
    </message>
    <message>
        <source>Articles</source>
        <translation>Artikelen</translation>
    </message>
    <message>
        <source>Key backup</source>
        <translation>Sleutelback-up</translation>
    </message>
</context>
<context>
    <name>AnnualReportPage</name>
    <message>
        <source>Annual report</source>
        <translation>Jaarverslag</translation>
    </message>
    <message>
        <source>The case register counts every conversation without anything that identifies a person: the kind of report, the type of help, the months it was opened and closed, and the organisation code. It stays after the conversation is deleted (31 days), for the retention your organisation chose, and is shared encrypted with your colleagues.</source>
        <translation>Het zaakregister telt elk gesprek zonder iets dat een persoon herkenbaar maakt: de soort melding, de soort hulp, de maanden van opening en afsluiting en de organisatiecode. Het blijft bewaard nadat het gesprek is verwijderd (31 dagen), zo lang als uw organisatie heeft gekozen, en wordt versleuteld gedeeld met uw collega’s.</translation>
    </message>
    <message>
        <source>&amp;Period:</source>
        <translation>&amp;Periode:</translation>
    </message>
    <message>
        <source>Period of the report</source>
        <translation>Periode van het verslag</translation>
    </message>
    <message>
        <source>First month</source>
        <translation>Eerste maand</translation>
    </message>
    <message>
        <source>Last month</source>
        <translation>Laatste maand</translation>
    </message>
    <message>
        <source>to</source>
        <translation>t/m</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Vernieuwen</translation>
    </message>
    <message>
        <source>Export as &amp;PDF…</source>
        <translation>Exporteren als &amp;pdf…</translation>
    </message>
    <message>
        <source>Export the annual report as PDF</source>
        <translation>Het jaarverslag als pdf exporteren</translation>
    </message>
    <message>
        <source>Export as C&amp;SV…</source>
        <translation>Exporteren als c&amp;sv…</translation>
    </message>
    <message>
        <source>Export the annual report as CSV</source>
        <translation>Het jaarverslag als csv exporteren</translation>
    </message>
    <message>
        <source>Print the counsellors&apos; names</source>
        <translation>Namen van de vertrouwenspersonen afdrukken</translation>
    </message>
    <message>
        <source>Keep the register &amp;for:</source>
        <translation>Register &amp;bewaren:</translation>
    </message>
    <message>
        <source> days</source>
        <translation> dagen</translation>
    </message>
    <message>
        <source>Retention of the case register in days</source>
        <translation>Bewaartermijn van het zaakregister in dagen</translation>
    </message>
    <message>
        <source>Save retention</source>
        <translation>Bewaartermijn opslaan</translation>
    </message>
    <message>
        <source>PDF in Dutch</source>
        <translation>Pdf in het Nederlands</translation>
    </message>
    <message>
        <source>PDF in English</source>
        <translation>Pdf in het Engels</translation>
    </message>
    <message>
        <source>Language of the PDF</source>
        <translation>Taal van de pdf</translation>
    </message>
    <message>
        <source>Reports per kind</source>
        <translation>Meldingen per soort</translation>
    </message>
    <message>
        <source>Chart of reports per kind</source>
        <translation>Grafiek van de meldingen per soort</translation>
    </message>
    <message>
        <source>Per kind of report</source>
        <translation>Per soort melding</translation>
    </message>
    <message>
        <source>Per type of help</source>
        <translation>Per soort hulp</translation>
    </message>
    <message>
        <source>Per month</source>
        <translation>Per maand</translation>
    </message>
    <message>
        <source>Per organisation code</source>
        <translation>Per organisatiecode</translation>
    </message>
    <message>
        <source>Reports per type of help</source>
        <translation>Meldingen per soort hulp</translation>
    </message>
    <message>
        <source>Reports per month</source>
        <translation>Meldingen per maand</translation>
    </message>
    <message>
        <source>Reports per organisation code</source>
        <translation>Meldingen per organisatiecode</translation>
    </message>
    <message>
        <source>Other period…</source>
        <translation>Andere periode…</translation>
    </message>
    <message numerus="yes">
        <source>%n register entries from the relay failed verification and were refused; the report uses the last verified ones. Tell your organisation&apos;s administrator.</source>
        <translation>
            <numerusform>%n registeritem van de relay is niet door de controle gekomen en geweigerd; het verslag gebruikt de laatste gecontroleerde versie. Meld dit aan de beheerder van uw organisatie.</numerusform>
            <numerusform>%n registeritems van de relay zijn niet door de controle gekomen en geweigerd; het verslag gebruikt de laatste gecontroleerde versies. Meld dit aan de beheerder van uw organisatie.</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 reports in this period, %2 closed in this period.</source>
        <translation>%1 meldingen in deze periode, %2 afgesloten in deze periode.</translation>
    </message>
    <message>
        <source>fewer than 5</source>
        <translation>minder dan 5</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Meldingen</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Afgesloten</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Totaal</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Soort</translation>
    </message>
    <message>
        <source>Help</source>
        <translation>Hulp</translation>
    </message>
    <message>
        <source>Month</source>
        <translation>Maand</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Nieuw</translation>
    </message>
    <message>
        <source>The numbers per organisation code appear for a whole calendar year only, so that subtracting two periods reveals no small numbers.</source>
        <translation>De aantallen per organisatiecode staan alleen in het verslag van een heel kalenderjaar, zodat het aftrekken van twee perioden geen kleine aantallen onthult.</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(geen)</translation>
    </message>
    <message>
        <source>Numbers below 5 per organisation code show as “&lt; 5”, and where needed one more code is hidden, so that nobody can recognise a small group or work it out from the total. The totals are exact.</source>
        <translation>Aantallen onder de 5 per organisatiecode staan als “&lt; 5”, en waar nodig is nog een code verborgen, zodat niemand een kleine groep kan herkennen of terugrekenen uit het totaal. De totalen zijn exact.</translation>
    </message>
    <message>
        <source>Export the annual report</source>
        <translation>Het jaarverslag exporteren</translation>
    </message>
</context>
<context>
    <name>ArticlesTab</name>
    <message>
        <source>Articles</source>
        <translation>Artikelen</translation>
    </message>
    <message>
        <source>New a&amp;rticle</source>
        <translation>Nieuw a&amp;rtikel</translation>
    </message>
    <message>
        <source>&amp;Title:</source>
        <translation>&amp;Titel:</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Taal:</translation>
    </message>
    <message>
        <source>&amp;Text:</source>
        <translation>Te&amp;kst:</translation>
    </message>
    <message>
        <source>Article title</source>
        <translation>Titel van het artikel</translation>
    </message>
    <message>
        <source>Article language</source>
        <translation>Taal van het artikel</translation>
    </message>
    <message>
        <source>Article text</source>
        <translation>Tekst van het artikel</translation>
    </message>
    <message>
        <source>Pu&amp;blished in the app</source>
        <translation>Gepu&amp;bliceerd in de app</translation>
    </message>
    <message>
        <source>&amp;Save article</source>
        <translation>Artikel op&amp;slaan</translation>
    </message>
    <message>
        <source>&amp;Delete article</source>
        <translation>Artikel &amp;verwijderen</translation>
    </message>
    <message>
        <source>An article needs a title and a text.</source>
        <translation>Een artikel heeft een titel en een tekst nodig.</translation>
    </message>
    <message>
        <source>Article saved.</source>
        <translation>Artikel opgeslagen.</translation>
    </message>
    <message>
        <source>Article deleted.</source>
        <translation>Artikel verwijderd.</translation>
    </message>
    <message>
        <source>Delete article</source>
        <translation>Artikel verwijderen</translation>
    </message>
    <message>
        <source>Delete this article from the app?</source>
        <translation>Dit artikel uit de app verwijderen?</translation>
    </message>
</context>
<context>
    <name>AttachmentBox</name>
    <message>
        <source>PDF document</source>
        <translation>PDF-document</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Afbeelding</translation>
    </message>
    <message numerus="yes">
        <source>%n page(s)</source>
        <translation>
            <numerusform>%n pagina</numerusform>
            <numerusform>%n pagina’s</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Bekijken</translation>
    </message>
    <message>
        <source>Save &amp;as…</source>
        <translation>Opslaan &amp;als…</translation>
    </message>
    <message>
        <source>View the file</source>
        <translation>Het bestand bekijken</translation>
    </message>
    <message>
        <source>Save a cleaned copy of the file</source>
        <translation>Een opgeschoonde kopie van het bestand opslaan</translation>
    </message>
    <message>
        <source>Checking the file…</source>
        <translation>Bestand wordt gecontroleerd…</translation>
    </message>
    <message>
        <source>Thumbnail of the file</source>
        <translation>Miniatuur van het bestand</translation>
    </message>
    <message>
        <source>Save a copy</source>
        <translation>Kopie opslaan</translation>
    </message>
    <message>
        <source>A cleaned copy is saved: re-encoded, without the metadata of the original. It is not encrypted once saved, and it is not deleted after 31 days. Save it only where your organisation allows confidential files. Continue?</source>
        <translation>Er wordt een opgeschoonde kopie opgeslagen: opnieuw gecodeerd, zonder de metadata van het origineel. Eenmaal opgeslagen is de kopie niet versleuteld en wordt ze niet na 31 dagen verwijderd. Sla haar alleen op waar uw organisatie vertrouwelijke bestanden toestaat. Doorgaan?</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Opgeslagen.</translation>
    </message>
</context>
<context>
    <name>AttachmentViewer</name>
    <message>
        <source>File</source>
        <translation>Bestand</translation>
    </message>
    <message>
        <source>Page %1</source>
        <translation>Pagina %1</translation>
    </message>
    <message>
        <source>Only the first %1 of %2 pages are shown.</source>
        <translation>Alleen de eerste %1 van %2 pagina’s worden getoond.</translation>
    </message>
</context>
<context>
    <name>Attachments</name>
    <message>
        <source>The file failed verification (it was changed or is incomplete); it is not shown.</source>
        <translation>Het bestand is niet door de controle gekomen (het is gewijzigd of onvolledig); het wordt niet getoond.</translation>
    </message>
    <message>
        <source>The relay no longer has this file (deleted after 31 days, or with the conversation).</source>
        <translation>De relay heeft dit bestand niet meer (verwijderd na 31 dagen, of met het gesprek).</translation>
    </message>
    <message>
        <source>The file is not the type it claims to be; it is not shown.</source>
        <translation>Het bestand is niet van het type dat het zegt te zijn; het wordt niet getoond.</translation>
    </message>
    <message>
        <source>The image is too large to open safely; it is not shown.</source>
        <translation>De afbeelding is te groot om veilig te openen; ze wordt niet getoond.</translation>
    </message>
    <message>
        <source>The file is damaged or malformed; it is not shown.</source>
        <translation>Het bestand is beschadigd of ongeldig; het wordt niet getoond.</translation>
    </message>
    <message>
        <source>This kind of file cannot be shown on this computer.</source>
        <translation>Dit soort bestand kan op deze computer niet worden getoond.</translation>
    </message>
    <message>
        <source>Opening the file needed too much memory; it was stopped and is not shown.</source>
        <translation>Het openen van het bestand vroeg te veel geheugen; het is gestopt en het bestand wordt niet getoond.</translation>
    </message>
    <message>
        <source>Opening the file took too long; it was stopped and is not shown.</source>
        <translation>Het openen van het bestand duurde te lang; het is gestopt en het bestand wordt niet getoond.</translation>
    </message>
    <message>
        <source>The file could not be opened safely; it is not shown.</source>
        <translation>Het bestand kon niet veilig worden geopend; het wordt niet getoond.</translation>
    </message>
    <message>
        <source>The file is larger than 10 MB.</source>
        <translation>Het bestand is groter dan 10 MB.</translation>
    </message>
    <message>
        <source>The file cannot be used.</source>
        <translation>Het bestand kan niet worden gebruikt.</translation>
    </message>
</context>
<context>
    <name>CodesTab</name>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Omschrijving</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Aangemaakt</translation>
    </message>
    <message>
        <source>Revoked</source>
        <translation>Ingetrokken</translation>
    </message>
    <message>
        <source>Organisation codes</source>
        <translation>Organisatiecodes</translation>
    </message>
    <message>
        <source>Label of the new code, e.g. a location or department</source>
        <translation>Omschrijving van de nieuwe code, bijvoorbeeld een locatie of afdeling</translation>
    </message>
    <message>
        <source>Label of the new code</source>
        <translation>Omschrijving van de nieuwe code</translation>
    </message>
    <message>
        <source>&amp;New code</source>
        <translation>Nieuwe &amp;code</translation>
    </message>
    <message>
        <source>Re&amp;voke</source>
        <translation>Intr&amp;ekken</translation>
    </message>
    <message>
        <source>Save QR code as &amp;PNG…</source>
        <translation>QR-code opslaan als &amp;PNG…</translation>
    </message>
    <message>
        <source>An A4 poster to hang up: the QR code, the code to type and the safety number that employees compare with the one their app shows.</source>
        <translation>Een A4-poster om op te hangen: de QR-code, de code om over te typen en het veiligheidsnummer dat medewerkers vergelijken met het nummer in hun app.</translation>
    </message>
    <message>
        <source>Save poster (P&amp;DF)…</source>
        <translation>Poster (P&amp;DF) opslaan…</translation>
    </message>
    <message>
        <source>Poster lan&amp;guage:</source>
        <translation>T&amp;aal van de poster:</translation>
    </message>
    <message>
        <source>Language of the poster</source>
        <translation>Taal van de poster</translation>
    </message>
    <message>
        <source>QR code of the selected organisation code</source>
        <translation>QR-code van de gekozen organisatiecode</translation>
    </message>
    <message>
        <source>Code %1 created.</source>
        <translation>Code %1 aangemaakt.</translation>
    </message>
    <message>
        <source>Code %1 revoked.</source>
        <translation>Code %1 ingetrokken.</translation>
    </message>
    <message>
        <source>Revoke code</source>
        <translation>Code intrekken</translation>
    </message>
    <message>
        <source>Revoke this code? The app can no longer join with it.</source>
        <translation>Deze code intrekken? De app kan zich er dan niet meer mee aanmelden.</translation>
    </message>
    <message>
        <source>Save QR code</source>
        <translation>QR-code opslaan</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Opgeslagen.</translation>
    </message>
    <message>
        <source>Save poster</source>
        <translation>Poster opslaan</translation>
    </message>
    <message>
        <source>PDF document (*.pdf)</source>
        <translation>PDF-document (*.pdf)</translation>
    </message>
    <message>
        <source>Poster saved as %1.</source>
        <translation>Poster opgeslagen als %1.</translation>
    </message>
</context>
<context>
    <name>ConversationView</name>
    <message>
        <source>&amp;Status:</source>
        <translation>&amp;Status:</translation>
    </message>
    <message>
        <source>C&amp;ategory:</source>
        <translation>C&amp;ategorie:</translation>
    </message>
    <message>
        <source>Conversation status</source>
        <translation>Status van het gesprek</translation>
    </message>
    <message>
        <source>Conversation category</source>
        <translation>Categorie van het gesprek</translation>
    </message>
    <message>
        <source>&amp;Help:</source>
        <translation>&amp;Hulp:</translation>
    </message>
    <message>
        <source>Type of help given (annual report)</source>
        <translation>Soort hulp die is gegeven (jaarverslag)</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Berichten</translation>
    </message>
    <message>
        <source>Write a reply… (Ctrl+Enter sends)</source>
        <translation>Schrijf een antwoord… (Ctrl+Enter verstuurt)</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>Antwoord</translation>
    </message>
    <message>
        <source>S&amp;end</source>
        <translation>&amp;Versturen</translation>
    </message>
    <message>
        <source>Send reply</source>
        <translation>Antwoord versturen</translation>
    </message>
    <message>
        <source>Attach &amp;file…</source>
        <translation>&amp;Bestand bijvoegen…</translation>
    </message>
    <message>
        <source>Send an image or PDF to the reporter</source>
        <translation>Een afbeelding of PDF naar de melder sturen</translation>
    </message>
    <message>
        <source>End-to-end encrypted</source>
        <translation>End-to-end versleuteld</translation>
    </message>
    <message>
        <source>Private notes</source>
        <translation>Privénotities</translation>
    </message>
    <message>
        <source>Only counsellors of your organisation can read these notes.</source>
        <translation>Alleen vertrouwenspersonen van uw organisatie kunnen deze notities lezen.</translation>
    </message>
    <message>
        <source>Add a private note…</source>
        <translation>Voeg een privénotitie toe…</translation>
    </message>
    <message>
        <source>New private note</source>
        <translation>Nieuwe privénotitie</translation>
    </message>
    <message>
        <source>Add &amp;note</source>
        <translation>&amp;Notitie toevoegen</translation>
    </message>
    <message>
        <source>Add private note</source>
        <translation>Privénotitie toevoegen</translation>
    </message>
    <message>
        <source>Choose a conversation in the list.</source>
        <translation>Kies een gesprek in de lijst.</translation>
    </message>
    <message>
        <source>Ask to bring in a &amp;colleague…</source>
        <translation>&amp;Collega erbij vragen…</translation>
    </message>
    <message>
        <source>Ask the reporter to let a colleague read along</source>
        <translation>De melder vragen of een collega mag meelezen</translation>
    </message>
    <message>
        <source>Conversation with %1</source>
        <translation>Gesprek met %1</translation>
    </message>
    <message>
        <source>not given</source>
        <translation>niet opgegeven</translation>
    </message>
    <message>
        <source>Age: %1 · Gender: %2</source>
        <translation>Leeftijd: %1 · Gender: %2</translation>
    </message>
    <message numerus="yes">
        <source>Deleted automatically in %n days</source>
        <translation>
            <numerusform>Wordt over %n dag automatisch verwijderd</numerusform>
            <numerusform>Wordt over %n dagen automatisch verwijderd</numerusform>
        </translation>
    </message>
    <message>
        <source>Verification problem in this conversation: %1</source>
        <translation>Verificatieprobleem in dit gesprek: %1</translation>
    </message>
    <message>
        <source>Who can read it: all counsellors</source>
        <translation>Wie leest mee: alle vertrouwenspersonen</translation>
    </message>
    <message>
        <source>Who can read it: only you</source>
        <translation>Wie leest mee: alleen u</translation>
    </message>
    <message>
        <source>Who can read it: you and %1</source>
        <translation>Wie leest mee: u en %1</translation>
    </message>
    <message>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <source>%1: asked the reporter, no answer yet</source>
        <translation>%1: gevraagd aan de melder, nog geen antwoord</translation>
    </message>
    <message>
        <source>%1: the reporter agreed; the history was shared</source>
        <translation>%1: geaccepteerd door de melder; de geschiedenis is gedeeld</translation>
    </message>
    <message>
        <source>%1: the reporter declined</source>
        <translation>%1: geweigerd door de melder</translation>
    </message>
    <message>
        <source>a colleague</source>
        <translation>een collega</translation>
    </message>
    <message>
        <source>Handover: %1</source>
        <translation>Overdracht: %1</translation>
    </message>
    <message>
        <source>Bring in a colleague</source>
        <translation>Collega erbij vragen</translation>
    </message>
    <message>
        <source>The reporter is asked first. Only if they agree can this colleague read the conversation, including what was written so far.</source>
        <translation>Eerst wordt het de melder gevraagd. Alleen als die akkoord gaat, kan deze collega het gesprek lezen, ook wat er al geschreven is.</translation>
    </message>
    <message>
        <source>Attach a file</source>
        <translation>Bestand bijvoegen</translation>
    </message>
    <message>
        <source>Images and PDF (*.jpg *.jpeg *.png *.webp *.heic *.pdf)</source>
        <translation>Afbeeldingen en PDF (*.jpg *.jpeg *.png *.webp *.heic *.pdf)</translation>
    </message>
</context>
<context>
    <name>CounsellorsTab</name>
    <message>
        <source>Before you publish the list of counsellors, compare each new colleague&apos;s safety number with them in person or by phone. Only listed devices can read new messages.</source>
        <translation>Vergelijk het veiligheidsnummer van elke nieuwe collega persoonlijk of telefonisch voordat u de lijst van vertrouwenspersonen publiceert. Alleen apparaten op de lijst kunnen nieuwe berichten lezen.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Naam</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Gebruikersnaam</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rol</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Apparaten</translation>
    </message>
    <message>
        <source>In published list</source>
        <translation>Op gepubliceerde lijst</translation>
    </message>
    <message>
        <source>Safety number</source>
        <translation>Veiligheidsnummer</translation>
    </message>
    <message>
        <source>Counsellors</source>
        <translation>Vertrouwenspersonen</translation>
    </message>
    <message>
        <source>Invite &amp;counsellor</source>
        <translation>&amp;Vertrouwenspersoon uitnodigen</translation>
    </message>
    <message>
        <source>Invite &amp;administrator</source>
        <translation>&amp;Beheerder uitnodigen</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>Ve&amp;rwijderen</translation>
    </message>
    <message>
        <source>&amp;Publish list of counsellors</source>
        <translation>Lijst &amp;publiceren</translation>
    </message>
    <message>
        <source>Compare and publish…</source>
        <translation>Vergelijken en publiceren…</translation>
    </message>
    <message>
        <source>Publish the list of counsellors</source>
        <translation>De lijst van vertrouwenspersonen publiceren</translation>
    </message>
    <message>
        <source>&amp;Share conversations with new devices</source>
        <translation>Gesprekken &amp;delen met nieuwe apparaten</translation>
    </message>
    <message>
        <source>Invitation code</source>
        <translation>Uitnodigingscode</translation>
    </message>
    <message>
        <source>Co&amp;mputers of the selected counsellor:</source>
        <translation>Co&amp;mputers van de gekozen vertrouwenspersoon:</translation>
    </message>
    <message>
        <source>Computer</source>
        <translation>Computer</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Opmerking</translation>
    </message>
    <message>
        <source>Computers of the selected counsellor</source>
        <translation>Computers van de gekozen vertrouwenspersoon</translation>
    </message>
    <message>
        <source>Remove comp&amp;uter…</source>
        <translation>Computer ver&amp;wijderen…</translation>
    </message>
    <message>
        <source>Remove the selected computer</source>
        <translation>De gekozen computer verwijderen</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no, not yet</source>
        <translation>nee, nog niet</translation>
    </message>
    <message numerus="yes">
        <source>yes, but not %n new computer(s)</source>
        <translation>
            <numerusform>ja, behalve %n nieuwe computer</numerusform>
            <numerusform>ja, behalve %n nieuwe computers</numerusform>
        </translation>
    </message>
    <message>
        <source>Not in the published list yet: %1. Their computers cannot read messages until you compare their safety numbers and publish the list.</source>
        <translation>Nog niet in de gepubliceerde lijst: %1. Hun computers kunnen geen berichten lezen tot u hun veiligheidsnummers hebt vergeleken en de lijst publiceert.</translation>
    </message>
    <message>
        <source>this computer</source>
        <translation>deze computer</translation>
    </message>
    <message>
        <source>Computer %1 was removed and signed out. The list of counsellors was published.</source>
        <translation>Computer %1 is verwijderd en afgemeld. De lijst van vertrouwenspersonen is gepubliceerd.</translation>
    </message>
    <message>
        <source>Remove computer</source>
        <translation>Computer verwijderen</translation>
    </message>
    <message>
        <source>Remove computer %1 of %2 from the list of counsellors? That computer is signed out at once, cannot log in again and cannot read new messages. %2&apos;s other computers keep working. To use this computer again, it must be added anew as a further computer (from the key backup).</source>
        <translation>Computer %1 van %2 van de lijst van vertrouwenspersonen verwijderen? Die computer wordt meteen afgemeld, kan niet meer inloggen en kan geen nieuwe berichten meer lezen. De andere computers van %2 blijven werken. Om deze computer weer te gebruiken, moet hij opnieuw worden toegevoegd als extra computer (met de sleutelback-up).</translation>
    </message>
    <message>
        <source>Give this one-time code to your colleague in person. It expires after 7 days.</source>
        <translation>Geef deze eenmalige code persoonlijk aan uw collega. Hij verloopt na 7 dagen.</translation>
    </message>
    <message>
        <source>Removed. Publish the list of counsellors to stop their devices.</source>
        <translation>Verwijderd. Publiceer de lijst van vertrouwenspersonen om hun apparaten af te sluiten.</translation>
    </message>
    <message>
        <source>Remove counsellor</source>
        <translation>Vertrouwenspersoon verwijderen</translation>
    </message>
    <message>
        <source>Remove this counsellor? Their sessions end at once.</source>
        <translation>Deze vertrouwenspersoon verwijderen? Hun sessies eindigen direct.</translation>
    </message>
    <message>
        <source>The list of counsellors was signed and published. Sharing conversations…</source>
        <translation>De lijst van vertrouwenspersonen is ondertekend en gepubliceerd. Gesprekken worden gedeeld…</translation>
    </message>
    <message>
        <source>Did you compare the safety number of every new counsellor? Only then publish the list. The conversations that are open now are then shared with their computers.</source>
        <translation>Hebt u het veiligheidsnummer van elke nieuwe vertrouwenspersoon vergeleken? Publiceer de lijst pas dan. De gesprekken die nu open zijn, worden daarna met hun computers gedeeld.</translation>
    </message>
    <message>
        <source>The list of counsellors was published; the open conversations are readable on every listed computer.</source>
        <translation>De lijst van vertrouwenspersonen is gepubliceerd; de open gesprekken zijn leesbaar op elke computer in de lijst.</translation>
    </message>
    <message>
        <source>The list was published, but the open conversations could not be shared with the new computers: %1 Try again with the button Share conversations.</source>
        <translation>De lijst is gepubliceerd, maar de open gesprekken konden niet met de nieuwe computers worden gedeeld: %1 Probeer het opnieuw met de knop Gesprekken delen.</translation>
    </message>
    <message>
        <source>Publish list of counsellors</source>
        <translation>Lijst van vertrouwenspersonen publiceren</translation>
    </message>
</context>
<context>
    <name>EnrolmentWizard</name>
    <message>
        <source>Opgelucht Desk: set up</source>
        <translation>Opgelucht Desk: instellen</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>The username, password or code is not correct.</source>
        <translation>De gebruikersnaam, het wachtwoord of de code klopt niet.</translation>
    </message>
    <message numerus="yes">
        <source>Too many attempts. Try again in %n seconds.</source>
        <translation>
            <numerusform>Te veel pogingen. Probeer het over %n seconde opnieuw.</numerusform>
            <numerusform>Te veel pogingen. Probeer het over %n seconden opnieuw.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n message(s) from a sender are missing (gap)</source>
        <translation>
            <numerusform>%n bericht van een afzender ontbreekt (gat)</numerusform>
            <numerusform>%n berichten van een afzender ontbreken (gat)</numerusform>
        </translation>
    </message>
    <message>
        <source>This is not an Opgelucht key backup file.</source>
        <translation>Dit is geen sleutelback-up van Opgelucht.</translation>
    </message>
    <message>
        <source>Wrong passphrase, or the backup file has been changed.</source>
        <translation>Verkeerde wachtzin, of het back-upbestand is gewijzigd.</translation>
    </message>
    <message>
        <source>The backup file is damaged.</source>
        <translation>Het back-upbestand is beschadigd.</translation>
    </message>
    <message>
        <source>Choose a passphrase of at least 12 characters.</source>
        <translation>Kies een wachtzin van minstens 12 tekens.</translation>
    </message>
    <message>
        <source>The backup file cannot be read.</source>
        <translation>Het back-upbestand kan niet worden gelezen.</translation>
    </message>
    <message>
        <source>This backup file holds another kind of key.</source>
        <translation>Dit back-upbestand bevat een ander soort sleutel.</translation>
    </message>
    <message>
        <source>This backup belongs to another organisation, organisation key or account.</source>
        <translation>Deze back-up hoort bij een andere organisatie, organisatiesleutel of account.</translation>
    </message>
    <message>
        <source>The backup file cannot be used.</source>
        <translation>Het back-upbestand is niet te gebruiken.</translation>
    </message>
    <message>
        <source>This computer was removed from your organisation&apos;s list of counsellors (roster), for example because it was reported lost, and can no longer log in. Ask your organisation administrator. To work on it again, add it anew from your key backup (Add this computer).</source>
        <translation>Deze computer is van de lijst van vertrouwenspersonen van uw organisatie gehaald, bijvoorbeeld omdat hij als verloren is gemeld, en kan niet meer inloggen. Vraag het de beheerder van uw organisatie. Om er weer op te werken, voegt u hem opnieuw toe met uw sleutelback-up (Voeg deze computer toe).</translation>
    </message>
    <message>
        <source>The relay does not recognise this computer as one of your account&apos;s computers. Ask your organisation administrator.</source>
        <translation>De relay herkent deze computer niet als een van de computers van uw account. Vraag het de beheerder van uw organisatie.</translation>
    </message>
    <message>
        <source>The relay cannot be reached. Check the network connection and the relay address.</source>
        <translation>De relay is niet bereikbaar. Controleer de netwerkverbinding en het relay-adres.</translation>
    </message>
    <message>
        <source>Your session has ended. Please log in again.</source>
        <translation>Uw sessie is beëindigd. Log opnieuw in.</translation>
    </message>
    <message>
        <source>No secure key store is available: %1</source>
        <translation>Er is geen veilige sleutelopslag beschikbaar: %1</translation>
    </message>
    <message>
        <source>Sending is blocked because the list of counsellors could not be verified: %1</source>
        <translation>Versturen is geblokkeerd omdat de lijst van vertrouwenspersonen niet gecontroleerd kon worden: %1</translation>
    </message>
    <message>
        <source>A security check failed: %1</source>
        <translation>Een veiligheidscontrole is mislukt: %1</translation>
    </message>
    <message>
        <source>This invitation or code has expired or was revoked.</source>
        <translation>Deze uitnodiging of code is verlopen of ingetrokken.</translation>
    </message>
    <message>
        <source>The relay refused because of a conflict: %1</source>
        <translation>De relay weigerde vanwege een conflict: %1</translation>
    </message>
    <message>
        <source>You cannot remove the computer you are working on. Remove it from another computer.</source>
        <translation>U kunt de computer waarop u werkt niet verwijderen. Verwijder hem vanaf een andere computer.</translation>
    </message>
    <message>
        <source>This computer is no longer in the list (removed already?).</source>
        <translation>Deze computer staat niet meer in de lijst (al verwijderd?).</translation>
    </message>
    <message>
        <source>This computer is not in the published list yet, so it cannot read messages, and it stays registered. If it was stolen, do not publish the list: remove the counsellor instead.</source>
        <translation>Deze computer staat nog niet op de gepubliceerde lijst, dus hij kan geen berichten lezen, en hij blijft geregistreerd. Is hij gestolen? Publiceer de lijst dan niet, maar verwijder de vertrouwenspersoon.</translation>
    </message>
    <message>
        <source>Only an organisation administrator may do this.</source>
        <translation>Alleen een beheerder van de organisatie mag dit doen.</translation>
    </message>
    <message>
        <source>This item no longer exists.</source>
        <translation>Dit onderdeel bestaat niet meer.</translation>
    </message>
    <message>
        <source>The relay reported an error: %1</source>
        <translation>De relay meldde een fout: %1</translation>
    </message>
    <message>
        <source>Opgelucht Desk is locked. Log in again.</source>
        <translation>Opgelucht Desk is vergrendeld. Log opnieuw in.</translation>
    </message>
    <message>
        <source>Something went wrong: %1</source>
        <translation>Er ging iets mis: %1</translation>
    </message>
    <message>
        <source>An unexpected error occurred (%1).</source>
        <translation>Er trad een onverwachte fout op (%1).</translation>
    </message>
    <message>
        <source>This computer is not in the organisation&apos;s list of counsellors (roster): it receives no new messages until the organisation administrator publishes a roster that lists it.</source>
        <translation>Deze computer staat niet op de lijst van vertrouwenspersonen van de organisatie: hij ontvangt geen nieuwe berichten totdat de beheerder van de organisatie een lijst publiceert waarop hij staat.</translation>
    </message>
    <message>
        <source>The relay sent a list of counsellors (roster) with an invalid signature. Sending is blocked.</source>
        <translation>De relay stuurde een lijst van vertrouwenspersonen met een ongeldige handtekening. Versturen is geblokkeerd.</translation>
    </message>
    <message>
        <source>The relay sent an older list of counsellors (roster) than this computer already knows. Sending is blocked.</source>
        <translation>De relay stuurde een oudere lijst van vertrouwenspersonen dan deze computer al kent. Versturen is geblokkeerd.</translation>
    </message>
    <message>
        <source>The relay sent two different lists of counsellors (rosters) with the same version. Sending is blocked; contact your organisation administrator.</source>
        <translation>De relay stuurde twee verschillende lijsten van vertrouwenspersonen met hetzelfde versienummer. Versturen is geblokkeerd; neem contact op met de beheerder van uw organisatie.</translation>
    </message>
    <message>
        <source>The list of counsellors (roster) has expired. Sending is blocked until the organisation administrator publishes a new one.</source>
        <translation>De lijst van vertrouwenspersonen is verlopen. Versturen is geblokkeerd totdat de beheerder van de organisatie een nieuwe lijst publiceert.</translation>
    </message>
    <message>
        <source>The organisation key changed without a valid certificate. Sending is blocked.</source>
        <translation>De organisatiesleutel is gewijzigd zonder geldig certificaat. Versturen is geblokkeerd.</translation>
    </message>
    <message>
        <source>The relay sent a damaged list of counsellors (roster). Sending is blocked.</source>
        <translation>De relay stuurde een beschadigde lijst van vertrouwenspersonen. Versturen is geblokkeerd.</translation>
    </message>
</context>
<context>
    <name>FurtherComputerDialog</name>
    <message>
        <source>Add this computer</source>
        <translation>Deze computer toevoegen</translation>
    </message>
    <message>
        <source>Already using Opgelucht Desk on another computer? Open the key backup you saved there (Settings, Another computer) and log in with your password and a code from your authenticator app.</source>
        <translation>Gebruikt u Opgelucht Desk al op een andere computer? Open de sleutelback-up die u daar hebt opgeslagen (Instellingen, Andere computer) en log in met uw wachtwoord en een code uit uw authenticator-app.</translation>
    </message>
    <message>
        <source>Key &amp;backup:</source>
        <translation>Sleutel&amp;back-up:</translation>
    </message>
    <message>
        <source>Pass&amp;phrase:</source>
        <translation>W&amp;achtzin:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>Wacht&amp;woord:</translation>
    </message>
    <message>
        <source>&amp;Code:</source>
        <translation>&amp;Code:</translation>
    </message>
    <message>
        <source>&amp;Choose…</source>
        <translation>&amp;Kiezen…</translation>
    </message>
    <message>
        <source>Key backup file</source>
        <translation>Bestand met sleutelback-up</translation>
    </message>
    <message>
        <source>&amp;Add this computer</source>
        <translation>Deze computer &amp;toevoegen</translation>
    </message>
    <message>
        <source>Open key backup</source>
        <translation>Sleutelback-up openen</translation>
    </message>
</context>
<context>
    <name>IdentityBackupBox</name>
    <message>
        <source>Another computer</source>
        <translation>Andere computer</translation>
    </message>
    <message>
        <source>To use Opgelucht Desk on a second computer, save a key backup here, protected by a long passphrase, and open it on the new computer in the set-up window. Delete the file afterwards. Your admin then publishes the list of counsellors with the new computer.</source>
        <translation>Wilt u Opgelucht Desk op een tweede computer gebruiken? Sla hier een sleutelback-up op, beschermd met een lange wachtzin, en open die op de nieuwe computer in het installatievenster. Verwijder het bestand daarna. Uw beheerder publiceert dan de lijst van vertrouwenspersonen met de nieuwe computer.</translation>
    </message>
    <message>
        <source>Pass&amp;phrase (at least 12 characters):</source>
        <translation>W&amp;achtzin (minstens 12 tekens):</translation>
    </message>
    <message>
        <source>Repeat pass&amp;phrase:</source>
        <translation>Herhaal de wa&amp;chtzin:</translation>
    </message>
    <message>
        <source>Save &amp;key backup for another computer…</source>
        <translation>&amp;Sleutelback-up voor een andere computer opslaan…</translation>
    </message>
    <message>
        <source>Save key backup</source>
        <translation>Sleutelback-up opslaan</translation>
    </message>
    <message>
        <source>The two passphrases are not the same.</source>
        <translation>De twee wachtzinnen zijn niet hetzelfde.</translation>
    </message>
    <message>
        <source>The key backup was saved.</source>
        <translation>De sleutelback-up is opgeslagen.</translation>
    </message>
</context>
<context>
    <name>InboxModel</name>
    <message>
        <source>Pseudonym</source>
        <translation>Schuilnaam</translation>
    </message>
    <message>
        <source>Last activity</source>
        <translation>Laatste activiteit</translation>
    </message>
    <message>
        <source>Unread</source>
        <translation>Ongelezen</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Categorie</translation>
    </message>
    <message>
        <source>Deleted in</source>
        <translation>Verwijderd over</translation>
    </message>
    <message>
        <source>Verification problem: %1</source>
        <translation>Verificatieprobleem: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n unread</source>
        <translation>
            <numerusform>%n ongelezen</numerusform>
            <numerusform>%n ongelezen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n days</source>
        <translation>
            <numerusform>%n dag</numerusform>
            <numerusform>%n dagen</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>InboxPage</name>
    <message>
        <source>Search conversations (Ctrl+F)</source>
        <translation>Gesprekken doorzoeken (Ctrl+F)</translation>
    </message>
    <message>
        <source>Search conversations</source>
        <translation>Gesprekken doorzoeken</translation>
    </message>
    <message>
        <source>Filter by status</source>
        <translation>Filteren op status</translation>
    </message>
    <message>
        <source>Filter by category</source>
        <translation>Filteren op categorie</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Gesprekken</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>Alle statussen</translation>
    </message>
    <message>
        <source>All categories</source>
        <translation>Alle categorieën</translation>
    </message>
    <message numerus="yes">
        <source>%n conversations</source>
        <translation>
            <numerusform>%n gesprek</numerusform>
            <numerusform>%n gesprekken</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>KeyBackupTab</name>
    <message>
        <source>The organisation key signs the list of counsellors. Keep an offline backup of it, protected by a long passphrase, on a USB stick in a safe. Without the key nobody can add or remove counsellors. To restore it on a new computer, choose Import.</source>
        <translation>De organisatiesleutel ondertekent de lijst van vertrouwenspersonen. Bewaar er een offline back-up van, beschermd met een lange wachtzin, op een USB-stick in een kluis. Zonder de sleutel kan niemand vertrouwenspersonen toevoegen of verwijderen. Kies Importeren om hem op een nieuwe computer terug te zetten.</translation>
    </message>
    <message>
        <source>&amp;Passphrase (at least 12 characters):</source>
        <translation>&amp;Wachtzin (minstens 12 tekens):</translation>
    </message>
    <message>
        <source>Re&amp;peat passphrase:</source>
        <translation>&amp;Herhaal de wachtzin:</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Wachtzin</translation>
    </message>
    <message>
        <source>Repeat passphrase</source>
        <translation>Herhaal de wachtzin</translation>
    </message>
    <message>
        <source>A long sentence only you know</source>
        <translation>Een lange zin die alleen u kent</translation>
    </message>
    <message>
        <source>The same passphrase again</source>
        <translation>Nogmaals dezelfde wachtzin</translation>
    </message>
    <message>
        <source>&amp;Export organisation key…</source>
        <translation>Organisatiesleutel &amp;exporteren…</translation>
    </message>
    <message>
        <source>I&amp;mport organisation key…</source>
        <translation>Organisatiesleutel i&amp;mporteren…</translation>
    </message>
    <message>
        <source>Save organisation key backup</source>
        <translation>Back-up van de organisatiesleutel opslaan</translation>
    </message>
    <message>
        <source>Open organisation key backup</source>
        <translation>Back-up van de organisatiesleutel openen</translation>
    </message>
    <message>
        <source>The two passphrases are not the same.</source>
        <translation>De twee wachtzinnen zijn niet hetzelfde.</translation>
    </message>
    <message>
        <source>The organisation key backup was saved. Keep it and the passphrase apart.</source>
        <translation>De back-up van de organisatiesleutel is opgeslagen. Bewaar hem en de wachtzin apart van elkaar.</translation>
    </message>
    <message>
        <source>The organisation key was imported: this computer can publish the list.</source>
        <translation>De organisatiesleutel is geïmporteerd: deze computer kan de lijst publiceren.</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>new</source>
        <translation>nieuw</translation>
    </message>
    <message>
        <source>in progress</source>
        <translation>in behandeling</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>gesloten</translation>
    </message>
    <message>
        <source>no category</source>
        <translation>geen categorie</translation>
    </message>
    <message>
        <source>intimidation</source>
        <translation>intimidatie</translation>
    </message>
    <message>
        <source>sexual harassment</source>
        <translation>seksuele intimidatie</translation>
    </message>
    <message>
        <source>bullying</source>
        <translation>pesten</translation>
    </message>
    <message>
        <source>discrimination</source>
        <translation>discriminatie</translation>
    </message>
    <message>
        <source>aggression and violence</source>
        <translation>agressie en geweld</translation>
    </message>
    <message>
        <source>integrity</source>
        <translation>integriteit</translation>
    </message>
    <message>
        <source>other</source>
        <translation>overig</translation>
    </message>
    <message>
        <source>queued, not sent yet</source>
        <translation>in wachtrij, nog niet verstuurd</translation>
    </message>
    <message>
        <source>sent</source>
        <translation>verstuurd</translation>
    </message>
    <message>
        <source>received</source>
        <translation>ontvangen</translation>
    </message>
    <message>
        <source>VERIFICATION FAILED: do not trust this message</source>
        <translation>VERIFICATIE MISLUKT: vertrouw dit bericht niet</translation>
    </message>
    <message>
        <source>organisation administrator</source>
        <translation>beheerder van de organisatie</translation>
    </message>
    <message>
        <source>counsellor</source>
        <translation>vertrouwenspersoon</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>niet ingevuld</translation>
    </message>
    <message>
        <source>advice</source>
        <translation>advies</translation>
    </message>
    <message>
        <source>support</source>
        <translation>ondersteuning</translation>
    </message>
    <message>
        <source>mediation</source>
        <translation>bemiddeling</translation>
    </message>
    <message>
        <source>referral</source>
        <translation>doorverwijzing</translation>
    </message>
    <message>
        <source>formal complaint</source>
        <translation>formele klacht</translation>
    </message>
</context>
<context>
    <name>LoginWindow</name>
    <message>
        <source>Opgelucht Desk: log in</source>
        <translation>Opgelucht Desk: inloggen</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>Inloggen</translation>
    </message>
    <message>
        <source>%1 (%2) at %3</source>
        <translation>%1 (%2) bij %3</translation>
    </message>
    <message>
        <source>Your conversations are hidden until you log in again.</source>
        <translation>Uw gesprekken zijn verborgen tot u opnieuw inlogt.</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>Wacht&amp;woord:</translation>
    </message>
    <message>
        <source>&amp;Code:</source>
        <translation>&amp;Code:</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Wachtwoord</translation>
    </message>
    <message>
        <source>Six-digit code from your authenticator app</source>
        <translation>Zescijferige code uit uw authenticator-app</translation>
    </message>
    <message>
        <source>Your session on the relay has ended. Log in again to continue.</source>
        <translation>Uw sessie bij de relay is beëindigd. Log opnieuw in om verder te gaan.</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>The relay set by IT is unusable: %1</source>
        <translation>De relay die IT heeft ingesteld is onbruikbaar: %1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Opgelucht Desk</source>
        <translation>Opgelucht Desk</translation>
    </message>
    <message>
        <source>&amp;Inbox</source>
        <translation>&amp;Inbox</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>Vergrendelen</translation>
    </message>
    <message>
        <source>Lock Opgelucht Desk</source>
        <translation>Opgelucht Desk vergrendelen</translation>
    </message>
    <message>
        <source>Lock now (Ctrl+L); log in again to continue</source>
        <translation>Nu vergrendelen (Ctrl+L); log daarna opnieuw in om verder te gaan</translation>
    </message>
    <message>
        <source>S&amp;tatistics</source>
        <translation>S&amp;tatistieken</translation>
    </message>
    <message>
        <source>Annual &amp;report</source>
        <translation>&amp;Jaarverslag</translation>
    </message>
    <message>
        <source>&amp;Organisation</source>
        <translation>&amp;Organisatie</translation>
    </message>
    <message>
        <source>Setti&amp;ngs</source>
        <translation>I&amp;nstellingen</translation>
    </message>
    <message>
        <source>Sections</source>
        <translation>Onderdelen</translation>
    </message>
    <message>
        <source>Synchronisation progress</source>
        <translation>Voortgang van de synchronisatie</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Sluiten</translation>
    </message>
    <message>
        <source>Dismiss the roster notice</source>
        <translation>Melding over de lijst sluiten</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Verbonden</translation>
    </message>
    <message>
        <source>Offline: replies wait in the outbox</source>
        <translation>Offline: antwoorden wachten in de verzendwachtrij</translation>
    </message>
    <message>
        <source>Synchronising %v of %m</source>
        <translation>Synchroniseren %v van %m</translation>
    </message>
    <message>
        <source>Security warning: %1</source>
        <translation>Veiligheidswaarschuwing: %1</translation>
    </message>
    <message>
        <source>The list of counsellors and their computers (roster) has changed: version %1. Check under Organisation that only your own computers are listed under your name; report any computer you do not know.</source>
        <translation>De lijst van vertrouwenspersonen en hun computers is gewijzigd: versie %1. Controleer onder Organisatie dat onder uw naam alleen uw eigen computers staan; meld elke computer die u niet kent.</translation>
    </message>
    <message>
        <source>The list of counsellors and their computers (roster) has changed: version %1. Ask your organisation&apos;s admin to check with you that only your own computers are listed under your name; report any computer you do not know.</source>
        <translation>De lijst van vertrouwenspersonen en hun computers is gewijzigd: versie %1. Vraag de beheerder van uw organisatie om samen met u na te gaan dat onder uw naam alleen uw eigen computers staan; meld elke computer die u niet kent.</translation>
    </message>
</context>
<context>
    <name>MessageBubble</name>
    <message>
        <source>(This message failed verification; its content is not shown.)</source>
        <translation>(Dit bericht is niet geverifieerd; de inhoud wordt niet getoond.)</translation>
    </message>
    <message>
        <source>Sent by you or a colleague</source>
        <translation>Verstuurd door u of een collega</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Ontvangen</translation>
    </message>
</context>
<context>
    <name>Notifications</name>
    <message>
        <source>New message in a conversation</source>
        <translation>Nieuw bericht in een gesprek</translation>
    </message>
    <message numerus="yes">
        <source>%n new messages in your conversations</source>
        <translation>
            <numerusform>%n nieuw bericht in uw gesprekken</numerusform>
            <numerusform>%n nieuwe berichten in uw gesprekken</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>New activity in %n conversations; log in to read it</source>
        <translation>
            <numerusform>Nieuwe activiteit in %n gesprek; log in om die te lezen</numerusform>
            <numerusform>Nieuwe activiteit in %n gesprekken; log in om die te lezen</numerusform>
        </translation>
    </message>
    <message>
        <source>New activity in a conversation; log in to read it</source>
        <translation>Nieuwe activiteit in een gesprek; log in om die te lezen</translation>
    </message>
    <message>
        <source>Show Opgelucht Desk</source>
        <translation>Opgelucht Desk tonen</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>Vergrendelen</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Afsluiten</translation>
    </message>
    <message numerus="yes">
        <source>Opgelucht Desk: %n unread</source>
        <translation>
            <numerusform>Opgelucht Desk: %n ongelezen</numerusform>
            <numerusform>Opgelucht Desk: %n ongelezen</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Password</name>
    <message numerus="yes">
        <source>Too short: use at least %n characters.</source>
        <translation>
            <numerusform>Te kort: gebruik minstens %n teken.</numerusform>
            <numerusform>Te kort: gebruik minstens %n tekens.</numerusform>
        </translation>
    </message>
    <message>
        <source>Easy to guess: use a sentence of four or more unusual words.</source>
        <translation>Makkelijk te raden: gebruik een zin van vier of meer ongewone woorden.</translation>
    </message>
    <message>
        <source>Still easy to guess: add more words.</source>
        <translation>Nog makkelijk te raden: voeg meer woorden toe.</translation>
    </message>
    <message>
        <source>Still guessable: add more words.</source>
        <translation>Nog te raden: voeg meer woorden toe.</translation>
    </message>
    <message>
        <source>Good: hard to guess.</source>
        <translation>Goed: moeilijk te raden.</translation>
    </message>
    <message>
        <source>Excellent: very hard to guess.</source>
        <translation>Uitstekend: zeer moeilijk te raden.</translation>
    </message>
    <message>
        <source>Very weak</source>
        <translation>Zeer zwak</translation>
    </message>
    <message>
        <source>Weak</source>
        <translation>Zwak</translation>
    </message>
    <message>
        <source>Fair</source>
        <translation>Redelijk</translation>
    </message>
    <message>
        <source>Strong</source>
        <translation>Sterk</translation>
    </message>
    <message>
        <source>Very strong</source>
        <translation>Zeer sterk</translation>
    </message>
</context>
<context>
    <name>PresentationBox</name>
    <message>
        <source>How reporters see you</source>
        <translation>Hoe melders u zien</translation>
    </message>
    <message>
        <source>Employees choose whom they talk to. They see your name and what you write here, once the organisation&apos;s admin has published the next roster.</source>
        <translation>Medewerkers kiezen met wie ze praten. Ze zien uw naam en wat u hier schrijft zodra de beheerder van de organisatie de volgende lijst van vertrouwenspersonen heeft gepubliceerd.</translation>
    </message>
    <message>
        <source>R&amp;ole (e.g. internal, external):</source>
        <translation>R&amp;ol (bijv. intern, extern):</translation>
    </message>
    <message>
        <source>Introduction (&amp;Dutch):</source>
        <translation>Introductie (&amp;Nederlands):</translation>
    </message>
    <message>
        <source>Introduction (&amp;English):</source>
        <translation>Introductie (&amp;Engels):</translation>
    </message>
    <message>
        <source>Availability (D&amp;utch):</source>
        <translation>Beschikbaarheid (Neder&amp;lands):</translation>
    </message>
    <message>
        <source>Availability (En&amp;glish):</source>
        <translation>Beschikbaarheid (En&amp;gels):</translation>
    </message>
    <message>
        <source>e.g. afwezig tot 12 januari</source>
        <translation>bijv. afwezig tot 12 januari</translation>
    </message>
    <message>
        <source>e.g. away until 12 January</source>
        <translation>bijv. away until 12 January</translation>
    </message>
    <message>
        <source>&amp;Save presentation</source>
        <translation>Presentatie op&amp;slaan</translation>
    </message>
    <message>
        <source>Saved. Reporters see it after the next roster is published.</source>
        <translation>Opgeslagen. Melders zien het zodra de volgende lijst is gepubliceerd.</translation>
    </message>
</context>
<context>
    <name>PresentationDialog</name>
    <message>
        <source>How reporters see you</source>
        <translation>Hoe melders u zien</translation>
    </message>
</context>
<context>
    <name>Problems</name>
    <message>
        <source>a message was sent under a different list of counsellors than this computer was shown</source>
        <translation>een bericht is verstuurd onder een andere lijst van vertrouwenspersonen dan deze computer kreeg te zien</translation>
    </message>
    <message>
        <source>a sender&apos;s first message claims an earlier one (fork)</source>
        <translation>het eerste bericht van een afzender verwijst naar een eerder bericht (splitsing)</translation>
    </message>
    <message>
        <source>two different messages claim the same place in a sender&apos;s thread (fork)</source>
        <translation>twee verschillende berichten claimen dezelfde plaats in de reeks van een afzender (splitsing)</translation>
    </message>
    <message>
        <source>a message does not follow the sender&apos;s previous one (fork)</source>
        <translation>een bericht sluit niet aan op het vorige bericht van de afzender (splitsing)</translation>
    </message>
    <message>
        <source>a message failed verification</source>
        <translation>een bericht is niet door de verificatie gekomen</translation>
    </message>
    <message>
        <source>a shared message key failed verification and was refused</source>
        <translation>een gedeelde berichtsleutel is niet door de verificatie gekomen en geweigerd</translation>
    </message>
    <message>
        <source>a message key shared by a computer removed from the list (version %1) was refused</source>
        <translation>een berichtsleutel gedeeld door een computer die van de lijst is gehaald (versie %1) is geweigerd</translation>
    </message>
</context>
<context>
    <name>RelayPage</name>
    <message>
        <source>Welcome to Opgelucht Desk</source>
        <translation>Welkom bij Opgelucht Desk</translation>
    </message>
    <message>
        <source>Enter the relay address and the one-time invitation code you received from your organisation administrator or from the Opgelucht service desk.</source>
        <translation>Vul het relay-adres in en de eenmalige uitnodigingscode die u van de beheerder van uw organisatie of van de Opgelucht-servicedesk hebt gekregen.</translation>
    </message>
    <message>
        <source>&amp;Relay address:</source>
        <translation>&amp;Relay-adres:</translation>
    </message>
    <message>
        <source>Set by your IT department.</source>
        <translation>Ingesteld door uw IT-afdeling.</translation>
    </message>
    <message>
        <source>&amp;Invitation code:</source>
        <translation>&amp;Uitnodigingscode:</translation>
    </message>
    <message>
        <source>Relay address</source>
        <translation>Relay-adres</translation>
    </message>
    <message>
        <source>Invitation code</source>
        <translation>Uitnodigingscode</translation>
    </message>
    <message>
        <source>Already enrolled on another computer? Add &amp;this computer…</source>
        <translation>Al aangemeld op een andere computer? Voeg &amp;deze computer toe…</translation>
    </message>
</context>
<context>
    <name>SafetyNumberPage</name>
    <message>
        <source>Safety number: %1</source>
        <translation>Veiligheidsnummer: %1</translation>
    </message>
    <message>
        <source>This is the safety number of your key. You find it again under Settings. As the administrator you compare the safety number of each new colleague with them before you add them to the list of counsellors.</source>
        <translation>Dit is het veiligheidsnummer van uw sleutel. U vindt het terug onder Instellingen. Als beheerder vergelijkt u het veiligheidsnummer van elke nieuwe collega met die collega voordat u hem of haar aan de lijst van vertrouwenspersonen toevoegt.</translation>
    </message>
    <message>
        <source>You are the first counsellor of your organisation and therefore its administrator. Opgelucht Desk created the organisation key on this computer.</source>
        <translation>U bent de eerste vertrouwenspersoon van uw organisatie en daarmee de beheerder. Opgelucht Desk heeft de organisatiesleutel op deze computer aangemaakt.</translation>
    </message>
    <message>
        <source>You can read conversations once your administrator has added this computer.</source>
        <translation>U kunt gesprekken lezen zodra uw beheerder deze computer heeft toegevoegd.</translation>
    </message>
    <message>
        <source>Your safety number</source>
        <translation>Uw veiligheidsnummer</translation>
    </message>
    <message>
        <source>Compare this number with your organisation administrator, in person or by phone. They check it before adding you, so that nobody can read along in your place.</source>
        <translation>Vergelijk dit nummer persoonlijk of telefonisch met de beheerder van uw organisatie. Die controleert het voordat u wordt toegevoegd, zodat niemand in uw plaats kan meelezen.</translation>
    </message>
</context>
<context>
    <name>SessionsBox</name>
    <message>
        <source>Active sessions</source>
        <translation>Actieve sessies</translation>
    </message>
    <message>
        <source>Where you are logged in with this account. Sign out any session you do not recognise.</source>
        <translation>Waar u met dit account bent aangemeld. Meld elke sessie af die u niet herkent.</translation>
    </message>
    <message>
        <source>Refresh sessions</source>
        <translation>Sessies vernieuwen</translation>
    </message>
    <message>
        <source>The session was signed out.</source>
        <translation>De sessie is afgemeld.</translation>
    </message>
    <message>
        <source>Logged in %1, last used %2</source>
        <translation>Aangemeld op %1, laatst gebruikt op %2</translation>
    </message>
    <message>
        <source>This computer: %1</source>
        <translation>Deze computer: %1</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Afmelden</translation>
    </message>
    <message>
        <source>Sign out the session logged in %1</source>
        <translation>De sessie van %1 afmelden</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Settings</source>
        <translation>Instellingen</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Taal:</translation>
    </message>
    <message>
        <source>Lock after &amp;idle minutes:</source>
        <translation>&amp;Vergrendelen na minuten inactiviteit:</translation>
    </message>
    <message>
        <source>&amp;Notifications:</source>
        <translation>&amp;Meldingen:</translation>
    </message>
    <message>
        <source>Relay:</source>
        <translation>Relay:</translation>
    </message>
    <message>
        <source>Account:</source>
        <translation>Account:</translation>
    </message>
    <message>
        <source>Your safety number:</source>
        <translation>Uw veiligheidsnummer:</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Taal</translation>
    </message>
    <message>
        <source>Minutes of inactivity before Opgelucht Desk locks</source>
        <translation>Minuten zonder activiteit voordat Opgelucht Desk vergrendelt</translation>
    </message>
    <message>
        <source>min</source>
        <translation>min</translation>
    </message>
    <message>
        <source>Show a notification for new messages (never their content)</source>
        <translation>Toon een melding bij nieuwe berichten (nooit de inhoud)</translation>
    </message>
    <message>
        <source>Notifications for new messages</source>
        <translation>Meldingen bij nieuwe berichten</translation>
    </message>
    <message>
        <source>Relay address</source>
        <translation>Relay-adres</translation>
    </message>
    <message>
        <source>The relay address was set when this computer was enrolled; it cannot be changed here.</source>
        <translation>Het relay-adres is vastgelegd bij de registratie van deze computer en kan hier niet worden gewijzigd.</translation>
    </message>
    <message>
        <source>Sign &amp;out and remove local data…</source>
        <translation>&amp;Afmelden en lokale gegevens wissen…</translation>
    </message>
    <message>
        <source>How reporters see &amp;you…</source>
        <translation>Hoe melders u &amp;zien…</translation>
    </message>
    <message>
        <source>How reporters see you: role, introduction and availability</source>
        <translation>Hoe melders u zien: rol, introductie en beschikbaarheid</translation>
    </message>
    <message>
        <source>Sign out and remove local data</source>
        <translation>Afmelden en lokale gegevens wissen</translation>
    </message>
    <message>
        <source>What is stored about me</source>
        <translation>Wat wordt er over mij bewaard</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Vernieuwen</translation>
    </message>
    <message>
        <source>Refresh what is stored about me</source>
        <translation>Vernieuw wat er over mij bewaard wordt</translation>
    </message>
    <message>
        <source>On this computer, encrypted with a key that needs your password:</source>
        <translation>Op deze computer, versleuteld met een sleutel die uw wachtwoord nodig heeft:</translation>
    </message>
    <message numerus="yes">
        <source>• %n conversations</source>
        <translation>
            <numerusform>• %n gesprek</numerusform>
            <numerusform>• %n gesprekken</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>• %n messages</source>
        <translation>
            <numerusform>• %n bericht</numerusform>
            <numerusform>• %n berichten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>• %n private notes</source>
        <translation>
            <numerusform>• %n privénotitie</numerusform>
            <numerusform>• %n privénotities</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>• %n drafts</source>
        <translation>
            <numerusform>• %n concept</numerusform>
            <numerusform>• %n concepten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>• %n replies waiting to be sent</source>
        <translation>
            <numerusform>• %n antwoord dat wacht op verzending</numerusform>
            <numerusform>• %n antwoorden die wachten op verzending</numerusform>
        </translation>
    </message>
    <message>
        <source>Oldest message: %1 (messages are deleted after 31 days)</source>
        <translation>Oudste bericht: %1 (berichten worden na 31 dagen verwijderd)</translation>
    </message>
    <message>
        <source>Data folder: %1</source>
        <translation>Gegevensmap: %1</translation>
    </message>
    <message>
        <source>Cache file: %1</source>
        <translation>Cachebestand: %1</translation>
    </message>
    <message>
        <source>Key store entries (%1): %2</source>
        <translation>Items in de sleutelopslag (%1): %2</translation>
    </message>
    <message>
        <source>On the relay: your username, display name, a hash of your password, your public keys, hashed session tokens and a log of logins, never the content of conversations.</source>
        <translation>Op de relay: uw gebruikersnaam, weergavenaam, een hash van uw wachtwoord, uw publieke sleutels, gehashte sessietokens en een logboek van aanmeldingen, nooit de inhoud van gesprekken.</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Afmelden</translation>
    </message>
    <message>
        <source>Sign out and delete the local copy of all conversations on this computer? Your keys stay; after you log in again, the conversations are downloaded again from the relay.</source>
        <translation>Afmelden en de lokale kopie van alle gesprekken op deze computer wissen? Uw sleutels blijven bewaard; na opnieuw inloggen worden de gesprekken opnieuw van de relay opgehaald.</translation>
    </message>
</context>
<context>
    <name>Sharing</name>
    <message>
        <source>Not shared with this computer yet</source>
        <translation>Nog niet gedeeld met deze computer</translation>
    </message>
    <message>
        <source>Not shared with this computer yet: a colleague shares older messages as soon as the administrator publishes the list.</source>
        <translation>Nog niet gedeeld met deze computer: een collega deelt oudere berichten zodra de beheerder de lijst publiceert.</translation>
    </message>
    <message>
        <source>Older messages have not been shared with this computer yet; a colleague who has them can share them.</source>
        <translation>Oudere berichten zijn nog niet met deze computer gedeeld; een collega die ze heeft, kan ze delen.</translation>
    </message>
</context>
<context>
    <name>StatsPage</name>
    <message>
        <source>week %1 (%2 – %3)</source>
        <translation>week %1 (%2 – %3)</translation>
    </message>
    <message>
        <source>%1 (in progress)</source>
        <translation>%1 (loopt nog)</translation>
    </message>
    <message>
        <source>fewer than 5 users</source>
        <translation>minder dan 5 gebruikers</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>Statistieken</translation>
    </message>
    <message>
        <source>Usage of the app per organisation code. Numbers are rounded to multiples of 5; codes used by fewer than 5 people are hidden so that nobody can be singled out.</source>
        <translation>Gebruik van de app per organisatiecode. Aantallen zijn afgerond op veelvouden van 5; codes die door minder dan 5 mensen zijn gebruikt worden verborgen, zodat niemand herkenbaar is.</translation>
    </message>
    <message>
        <source>&amp;Period:</source>
        <translation>&amp;Periode:</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Periode</translation>
    </message>
    <message>
        <source>&amp;Export as CSV…</source>
        <translation>&amp;Exporteren als CSV…</translation>
    </message>
    <message>
        <source>Export statistics as CSV</source>
        <translation>Statistieken exporteren als CSV</translation>
    </message>
    <message>
        <source>Active devices per code</source>
        <translation>Actieve apparaten per code</translation>
    </message>
    <message>
        <source>Chart of active devices per code</source>
        <translation>Grafiek van actieve apparaten per code</translation>
    </message>
    <message>
        <source>Counts per code</source>
        <translation>Aantallen per code</translation>
    </message>
    <message>
        <source>No counts to show for this period: nobody used the app, or too few people to show anything without singling someone out.</source>
        <translation>Geen aantallen voor deze periode: niemand gebruikte de app, of te weinig mensen om iets te tonen zonder iemand aan te wijzen.</translation>
    </message>
    <message>
        <source>%1 is not over yet. Its figures appear from %2 on, once the month has ended; a published period never changes afterwards.</source>
        <translation>%1 is nog niet voorbij. De cijfers verschijnen vanaf %2, als de maand is afgelopen; een gepubliceerde periode verandert daarna nooit meer.</translation>
    </message>
    <message>
        <source>All codes</source>
        <translation>Alle codes</translation>
    </message>
    <message>
        <source>fewer than 5</source>
        <translation>minder dan 5</translation>
    </message>
    <message>
        <source>Export statistics</source>
        <translation>Statistieken exporteren</translation>
    </message>
</context>
<context>
    <name>TotpPage</name>
    <message>
        <source>QR code for your authenticator app</source>
        <translation>QR-code voor uw authenticator-app</translation>
    </message>
    <message>
        <source>Or type this key: %1</source>
        <translation>Of typ deze sleutel: %1</translation>
    </message>
    <message>
        <source>Two-step verification</source>
        <translation>Verificatie in twee stappen</translation>
    </message>
    <message>
        <source>Scan this QR code with an authenticator app on your phone, then type the six-digit code it shows. After that, Opgelucht Desk creates the keys of this computer.</source>
        <translation>Scan deze QR-code met een authenticator-app op uw telefoon en typ de zescijferige code die de app toont. Daarna maakt Opgelucht Desk de sleutels van deze computer aan.</translation>
    </message>
    <message>
        <source>&amp;Code:</source>
        <translation>&amp;Code:</translation>
    </message>
    <message>
        <source>Six-digit code from your authenticator app</source>
        <translation>Zescijferige code uit uw authenticator-app</translation>
    </message>
    <message>
        <source>Cop&amp;y key</source>
        <translation>Sleutel &amp;kopiëren</translation>
    </message>
    <message>
        <source>Copy the key for your authenticator app</source>
        <translation>Kopieer de sleutel voor uw authenticator-app</translation>
    </message>
    <message>
        <source>Key generation progress</source>
        <translation>Voortgang van het aanmaken van sleutels</translation>
    </message>
    <message>
        <source>Generating keys</source>
        <translation>Sleutels aanmaken</translation>
    </message>
    <message>
        <source>Registering this computer</source>
        <translation>Deze computer registreren</translation>
    </message>
    <message>
        <source>Creating the organisation key</source>
        <translation>De organisatiesleutel aanmaken</translation>
    </message>
    <message>
        <source>Protecting the keys with your password</source>
        <translation>De sleutels beveiligen met uw wachtwoord</translation>
    </message>
    <message>
        <source>Opening the inbox</source>
        <translation>De inbox openen</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Klaar</translation>
    </message>
</context>
<context>
    <name>UpdateBox</name>
    <message>
        <source>Updates</source>
        <translation>Updates</translation>
    </message>
    <message>
        <source>Check for updates automatically</source>
        <translation>Automatisch controleren op updates</translation>
    </message>
    <message>
        <source>Once a day Opgelucht Desk asks the update site which version is current. The request carries nothing about you, your organisation or your conversations.</source>
        <translation>Eén keer per dag vraagt Opgelucht Desk aan de updatesite welke versie de nieuwste is. Het verzoek bevat niets over u, uw organisatie of uw gesprekken.</translation>
    </message>
    <message>
        <source>Check now</source>
        <translation>Nu controleren</translation>
    </message>
    <message>
        <source>Disabled: the update setting of your IT department cannot be used (%1).</source>
        <translation>Uitgeschakeld: de update-instelling van uw IT-afdeling is onbruikbaar (%1).</translation>
    </message>
    <message>
        <source>Disabled by your IT department</source>
        <translation>Uitgeschakeld door uw IT-afdeling</translation>
    </message>
    <message>
        <source>Installed version: %1.</source>
        <translation>Geïnstalleerde versie: %1.</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Bezig met controleren…</translation>
    </message>
    <message>
        <source>This is the latest version (checked %1).</source>
        <translation>Dit is de nieuwste versie (gecontroleerd op %1).</translation>
    </message>
    <message>
        <source>Checking for updates did not work (no connection to the update site). Opgelucht Desk tries again later.</source>
        <translation>Controleren op updates is niet gelukt (geen verbinding met de updatesite). Opgelucht Desk probeert het later opnieuw.</translation>
    </message>
    <message>
        <source>This build of Opgelucht Desk cannot check for updates (it contains no release key). Your IT department installs updates.</source>
        <translation>Deze versie van Opgelucht Desk kan niet op updates controleren (er is geen releasesleutel ingebouwd). Uw IT-afdeling installeert updates.</translation>
    </message>
    <message>
        <source>A newer version exists, but not for this kind of computer.</source>
        <translation>Er is een nieuwere versie, maar niet voor dit type computer.</translation>
    </message>
    <message>
        <source>it is not signed by Opgelucht</source>
        <translation>niet ondertekend door Opgelucht</translation>
    </message>
    <message>
        <source>it has expired; the update site may be out of date</source>
        <translation>verlopen; de updatesite is mogelijk verouderd</translation>
    </message>
    <message>
        <source>it offers an older version than the installed one</source>
        <translation>biedt een oudere versie aan dan de geïnstalleerde</translation>
    </message>
    <message>
        <source>Warning: the update information was refused (%1). No update is offered; tell your IT department.</source>
        <translation>Waarschuwing: de update-informatie is geweigerd (%1). Er wordt geen update aangeboden; meld dit bij uw IT-afdeling.</translation>
    </message>
    <message>
        <source>it is damaged</source>
        <translation>beschadigd</translation>
    </message>
</context>
<context>
    <name>UpdateNotice</name>
    <message>
        <source>Dismiss</source>
        <translation>Sluiten</translation>
    </message>
    <message>
        <source>Dismiss the update notice</source>
        <translation>De updatemelding sluiten</translation>
    </message>
</context>
<context>
    <name>UpdateTexts</name>
    <message>
        <source>Version %1 is available.</source>
        <translation>Versie %1 is beschikbaar.</translation>
    </message>
    <message>
        <source>Download…</source>
        <translation>Downloaden…</translation>
    </message>
    <message>
        <source>Choose a folder for the installer</source>
        <translation>Kies een map voor het installatiebestand</translation>
    </message>
    <message>
        <source>Downloading and checking version %1…</source>
        <translation>Versie %1 wordt gedownload en gecontroleerd…</translation>
    </message>
    <message>
        <source>Verified installer saved in %1. Opgelucht Desk does not install or open it: your IT department installs it, or you do if you are allowed to.</source>
        <translation>Geverifieerd installatiebestand opgeslagen in %1. Opgelucht Desk installeert of opent het niet: uw IT-afdeling installeert het, of uzelf als u dat mag.</translation>
    </message>
    <message>
        <source>The download did not match the signed release information and was deleted. Nothing was installed.</source>
        <translation>De download kwam niet overeen met de ondertekende release-informatie en is verwijderd. Er is niets geïnstalleerd.</translation>
    </message>
    <message>
        <source>The installer could not be saved in this folder. Choose another folder.</source>
        <translation>Het installatiebestand kon niet in deze map worden opgeslagen. Kies een andere map.</translation>
    </message>
    <message>
        <source>The download did not work (no connection to the update site). Try again later.</source>
        <translation>Het downloaden is niet gelukt (geen verbinding met de updatesite). Probeer het later opnieuw.</translation>
    </message>
</context>
</TS>
