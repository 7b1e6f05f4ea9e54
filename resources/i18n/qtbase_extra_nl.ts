<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Strings of Qt's own dialogs that Qt's Dutch translation (qtbase_nl) leaves in English. Loaded after
     qtbase_nl by opgelucht_desk/ui/i18n.py; compiled by scripts/update-translations.sh. -->
<TS version="2.1" language="nl_NL">
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>&amp;Zoeken in:</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>Bestands&amp;type:</translation>
    </message>
</context>
</TS>
