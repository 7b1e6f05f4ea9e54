<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>AccountPage</name>
    <message>
        <source>Your account</source>
        <translation>Your account</translation>
    </message>
    <message>
        <source>Colleagues see your display name. Choose a long password that you use nowhere else.</source>
        <translation>Colleagues see your display name. Choose a long password that you use nowhere else.</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>&amp;Username:</translation>
    </message>
    <message>
        <source>&amp;Display name:</source>
        <translation>&amp;Display name:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Password:</translation>
    </message>
    <message>
        <source>&amp;Repeat password:</source>
        <translation>&amp;Repeat password:</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Username</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>Display name</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>Repeat password</source>
        <translation>Repeat password</translation>
    </message>
    <message>
        <source>Password strength</source>
        <translation>Password strength</translation>
    </message>
    <message>
        <source>The passwords do not match.</source>
        <translation>The passwords do not match.</translation>
    </message>
</context>
<context>
    <name>AdminPage</name>
    <message>
        <source>Organisation</source>
        <translation>Organisation</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>Re&amp;fresh</translation>
    </message>
    <message>
        <source>Read the lists again now (F5). They also refresh by themselves.</source>
        <translation>Read the lists again now (F5). They also refresh by themselves.</translation>
    </message>
    <message>
        <source>Refresh the lists of the organisation</source>
        <translation>Refresh the lists of the organisation</translation>
    </message>
    <message>
        <source>Counsellors</source>
        <translation>Counsellors</translation>
    </message>
    <message>
        <source>Organisation codes</source>
        <translation>Organisation codes</translation>
    </message>
    <message>
        <source>Articles</source>
        <translation>Articles</translation>
    </message>
    <message>
        <source>Key backup</source>
        <translation>Key backup</translation>
    </message>
</context>
<context>
    <name>AnnualReportPage</name>
    <message>
        <source>Annual report</source>
        <translation>Annual report</translation>
    </message>
    <message>
        <source>The case register counts every conversation without anything that identifies a person: the kind of report, the type of help, the months it was opened and closed, and the organisation code. It stays after the conversation is deleted (31 days), for the retention your organisation chose, and is shared encrypted with your colleagues.</source>
        <translation>The case register counts every conversation without anything that identifies a person: the kind of report, the type of help, the months it was opened and closed, and the organisation code. It stays after the conversation is deleted (31 days), for the retention your organisation chose, and is shared encrypted with your colleagues.</translation>
    </message>
    <message>
        <source>&amp;Period:</source>
        <translation>&amp;Period:</translation>
    </message>
    <message>
        <source>Period of the report</source>
        <translation>Period of the report</translation>
    </message>
    <message>
        <source>First month</source>
        <translation>First month</translation>
    </message>
    <message>
        <source>Last month</source>
        <translation>Last month</translation>
    </message>
    <message>
        <source>to</source>
        <translation>to</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Refresh</translation>
    </message>
    <message>
        <source>Export as &amp;PDF…</source>
        <translation>Export as &amp;PDF…</translation>
    </message>
    <message>
        <source>Export the annual report as PDF</source>
        <translation>Export the annual report as PDF</translation>
    </message>
    <message>
        <source>Export as C&amp;SV…</source>
        <translation>Export as C&amp;SV…</translation>
    </message>
    <message>
        <source>Export the annual report as CSV</source>
        <translation>Export the annual report as CSV</translation>
    </message>
    <message>
        <source>Print the counsellors&apos; names</source>
        <translation>Print the counsellors&apos; names</translation>
    </message>
    <message>
        <source>Keep the register &amp;for:</source>
        <translation>Keep the register &amp;for:</translation>
    </message>
    <message>
        <source> days</source>
        <translation> days</translation>
    </message>
    <message>
        <source>Retention of the case register in days</source>
        <translation>Retention of the case register in days</translation>
    </message>
    <message>
        <source>Save retention</source>
        <translation>Save retention</translation>
    </message>
    <message>
        <source>PDF in Dutch</source>
        <translation>PDF in Dutch</translation>
    </message>
    <message>
        <source>PDF in English</source>
        <translation>PDF in English</translation>
    </message>
    <message>
        <source>Language of the PDF</source>
        <translation>Language of the PDF</translation>
    </message>
    <message>
        <source>Reports per kind</source>
        <translation>Reports per kind</translation>
    </message>
    <message>
        <source>Chart of reports per kind</source>
        <translation>Chart of reports per kind</translation>
    </message>
    <message>
        <source>Per kind of report</source>
        <translation>Per kind of report</translation>
    </message>
    <message>
        <source>Per type of help</source>
        <translation>Per type of help</translation>
    </message>
    <message>
        <source>Per month</source>
        <translation>Per month</translation>
    </message>
    <message>
        <source>Per organisation code</source>
        <translation>Per organisation code</translation>
    </message>
    <message>
        <source>Reports per type of help</source>
        <translation>Reports per type of help</translation>
    </message>
    <message>
        <source>Reports per month</source>
        <translation>Reports per month</translation>
    </message>
    <message>
        <source>Reports per organisation code</source>
        <translation>Reports per organisation code</translation>
    </message>
    <message>
        <source>Other period…</source>
        <translation>Other period…</translation>
    </message>
    <message numerus="yes">
        <source>%n register entries from the relay failed verification and were refused; the report uses the last verified ones. Tell your organisation&apos;s administrator.</source>
        <translation>
            <numerusform>%n register entry from the relay failed verification and was refused; the report uses the last verified one. Tell your organisation&apos;s administrator.</numerusform>
            <numerusform>%n register entries from the relay failed verification and were refused; the report uses the last verified ones. Tell your organisation&apos;s administrator.</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 reports in this period, %2 closed in this period.</source>
        <translation>%1 reports in this period, %2 closed in this period.</translation>
    </message>
    <message>
        <source>fewer than 5</source>
        <translation>fewer than 5</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Reports</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Closed</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>Help</source>
        <translation>Help</translation>
    </message>
    <message>
        <source>Month</source>
        <translation>Month</translation>
    </message>
    <message>
        <source>New</source>
        <translation>New</translation>
    </message>
    <message>
        <source>The numbers per organisation code appear for a whole calendar year only, so that subtracting two periods reveals no small numbers.</source>
        <translation>The numbers per organisation code appear for a whole calendar year only, so that subtracting two periods reveals no small numbers.</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(none)</translation>
    </message>
    <message>
        <source>Numbers below 5 per organisation code show as “&lt; 5”, and where needed one more code is hidden, so that nobody can recognise a small group or work it out from the total. The totals are exact.</source>
        <translation>Numbers below 5 per organisation code show as “&lt; 5”, and where needed one more code is hidden, so that nobody can recognise a small group or work it out from the total. The totals are exact.</translation>
    </message>
    <message>
        <source>Export the annual report</source>
        <translation>Export the annual report</translation>
    </message>
</context>
<context>
    <name>ArticlesTab</name>
    <message>
        <source>Articles</source>
        <translation>Articles</translation>
    </message>
    <message>
        <source>New a&amp;rticle</source>
        <translation>New a&amp;rticle</translation>
    </message>
    <message>
        <source>&amp;Title:</source>
        <translation>&amp;Title:</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Language:</translation>
    </message>
    <message>
        <source>&amp;Text:</source>
        <translation>&amp;Text:</translation>
    </message>
    <message>
        <source>Article title</source>
        <translation>Article title</translation>
    </message>
    <message>
        <source>Article language</source>
        <translation>Article language</translation>
    </message>
    <message>
        <source>Article text</source>
        <translation>Article text</translation>
    </message>
    <message>
        <source>Pu&amp;blished in the app</source>
        <translation>Pu&amp;blished in the app</translation>
    </message>
    <message>
        <source>&amp;Save article</source>
        <translation>&amp;Save article</translation>
    </message>
    <message>
        <source>&amp;Delete article</source>
        <translation>&amp;Delete article</translation>
    </message>
    <message>
        <source>An article needs a title and a text.</source>
        <translation>An article needs a title and a text.</translation>
    </message>
    <message>
        <source>Article saved.</source>
        <translation>Article saved.</translation>
    </message>
    <message>
        <source>Article deleted.</source>
        <translation>Article deleted.</translation>
    </message>
    <message>
        <source>Delete article</source>
        <translation>Delete article</translation>
    </message>
    <message>
        <source>Delete this article from the app?</source>
        <translation>Delete this article from the app?</translation>
    </message>
</context>
<context>
    <name>AttachmentBox</name>
    <message>
        <source>PDF document</source>
        <translation>PDF document</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Image</translation>
    </message>
    <message numerus="yes">
        <source>%n page(s)</source>
        <translation>
            <numerusform>%n page</numerusform>
            <numerusform>%n pages</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>Save &amp;as…</source>
        <translation>Save &amp;as…</translation>
    </message>
    <message>
        <source>View the file</source>
        <translation>View the file</translation>
    </message>
    <message>
        <source>Save a cleaned copy of the file</source>
        <translation>Save a cleaned copy of the file</translation>
    </message>
    <message>
        <source>Checking the file…</source>
        <translation>Checking the file…</translation>
    </message>
    <message>
        <source>Thumbnail of the file</source>
        <translation>Thumbnail of the file</translation>
    </message>
    <message>
        <source>Save a copy</source>
        <translation>Save a copy</translation>
    </message>
    <message>
        <source>A cleaned copy is saved: re-encoded, without the metadata of the original. It is not encrypted once saved, and it is not deleted after 31 days. Save it only where your organisation allows confidential files. Continue?</source>
        <translation>A cleaned copy is saved: re-encoded, without the metadata of the original. It is not encrypted once saved, and it is not deleted after 31 days. Save it only where your organisation allows confidential files. Continue?</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Saved.</translation>
    </message>
</context>
<context>
    <name>AttachmentViewer</name>
    <message>
        <source>File</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Page %1</source>
        <translation>Page %1</translation>
    </message>
    <message>
        <source>Only the first %1 of %2 pages are shown.</source>
        <translation>Only the first %1 of %2 pages are shown.</translation>
    </message>
</context>
<context>
    <name>Attachments</name>
    <message>
        <source>The file failed verification (it was changed or is incomplete); it is not shown.</source>
        <translation>The file failed verification (it was changed or is incomplete); it is not shown.</translation>
    </message>
    <message>
        <source>The relay no longer has this file (deleted after 31 days, or with the conversation).</source>
        <translation>The relay no longer has this file (deleted after 31 days, or with the conversation).</translation>
    </message>
    <message>
        <source>The file is not the type it claims to be; it is not shown.</source>
        <translation>The file is not the type it claims to be; it is not shown.</translation>
    </message>
    <message>
        <source>The image is too large to open safely; it is not shown.</source>
        <translation>The image is too large to open safely; it is not shown.</translation>
    </message>
    <message>
        <source>The file is damaged or malformed; it is not shown.</source>
        <translation>The file is damaged or malformed; it is not shown.</translation>
    </message>
    <message>
        <source>This kind of file cannot be shown on this computer.</source>
        <translation>This kind of file cannot be shown on this computer.</translation>
    </message>
    <message>
        <source>Opening the file needed too much memory; it was stopped and is not shown.</source>
        <translation>Opening the file needed too much memory; it was stopped and is not shown.</translation>
    </message>
    <message>
        <source>Opening the file took too long; it was stopped and is not shown.</source>
        <translation>Opening the file took too long; it was stopped and is not shown.</translation>
    </message>
    <message>
        <source>The file could not be opened safely; it is not shown.</source>
        <translation>The file could not be opened safely; it is not shown.</translation>
    </message>
    <message>
        <source>The file is larger than 10 MB.</source>
        <translation>The file is larger than 10 MB.</translation>
    </message>
    <message>
        <source>The file cannot be used.</source>
        <translation>The file cannot be used.</translation>
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
        <translation>Label</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Created</translation>
    </message>
    <message>
        <source>Revoked</source>
        <translation>Revoked</translation>
    </message>
    <message>
        <source>Organisation codes</source>
        <translation>Organisation codes</translation>
    </message>
    <message>
        <source>Label of the new code, e.g. a location or department</source>
        <translation>Label of the new code, e.g. a location or department</translation>
    </message>
    <message>
        <source>Label of the new code</source>
        <translation>Label of the new code</translation>
    </message>
    <message>
        <source>&amp;New code</source>
        <translation>&amp;New code</translation>
    </message>
    <message>
        <source>Re&amp;voke</source>
        <translation>Re&amp;voke</translation>
    </message>
    <message>
        <source>Save QR code as &amp;PNG…</source>
        <translation>Save QR code as &amp;PNG…</translation>
    </message>
    <message>
        <source>An A4 poster to hang up: the QR code, the code to type and the safety number that employees compare with the one their app shows.</source>
        <translation>An A4 poster to hang up: the QR code, the code to type and the safety number that employees compare with the one their app shows.</translation>
    </message>
    <message>
        <source>Save poster (P&amp;DF)…</source>
        <translation>Save poster (P&amp;DF)…</translation>
    </message>
    <message>
        <source>Poster lan&amp;guage:</source>
        <translation>Poster lan&amp;guage:</translation>
    </message>
    <message>
        <source>Language of the poster</source>
        <translation>Language of the poster</translation>
    </message>
    <message>
        <source>QR code of the selected organisation code</source>
        <translation>QR code of the selected organisation code</translation>
    </message>
    <message>
        <source>Code %1 created.</source>
        <translation>Code %1 created.</translation>
    </message>
    <message>
        <source>Code %1 revoked.</source>
        <translation>Code %1 revoked.</translation>
    </message>
    <message>
        <source>Revoke code</source>
        <translation>Revoke code</translation>
    </message>
    <message>
        <source>Revoke this code? The app can no longer join with it.</source>
        <translation>Revoke this code? The app can no longer join with it.</translation>
    </message>
    <message>
        <source>Save QR code</source>
        <translation>Save QR code</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Saved.</translation>
    </message>
    <message>
        <source>Save poster</source>
        <translation>Save poster</translation>
    </message>
    <message>
        <source>PDF document (*.pdf)</source>
        <translation>PDF document (*.pdf)</translation>
    </message>
    <message>
        <source>Poster saved as %1.</source>
        <translation>Poster saved as %1.</translation>
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
        <translation>C&amp;ategory:</translation>
    </message>
    <message>
        <source>Conversation status</source>
        <translation>Conversation status</translation>
    </message>
    <message>
        <source>Conversation category</source>
        <translation>Conversation category</translation>
    </message>
    <message>
        <source>&amp;Help:</source>
        <translation>&amp;Help:</translation>
    </message>
    <message>
        <source>Type of help given (annual report)</source>
        <translation>Type of help given (annual report)</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <source>Write a reply… (Ctrl+Enter sends)</source>
        <translation>Write a reply… (Ctrl+Enter sends)</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>Reply</translation>
    </message>
    <message>
        <source>S&amp;end</source>
        <translation>S&amp;end</translation>
    </message>
    <message>
        <source>Send reply</source>
        <translation>Send reply</translation>
    </message>
    <message>
        <source>Attach &amp;file…</source>
        <translation>Attach &amp;file…</translation>
    </message>
    <message>
        <source>Send an image or PDF to the reporter</source>
        <translation>Send an image or PDF to the reporter</translation>
    </message>
    <message>
        <source>End-to-end encrypted</source>
        <translation>End-to-end encrypted</translation>
    </message>
    <message>
        <source>Private notes</source>
        <translation>Private notes</translation>
    </message>
    <message>
        <source>Only counsellors of your organisation can read these notes.</source>
        <translation>Only counsellors of your organisation can read these notes.</translation>
    </message>
    <message>
        <source>Add a private note…</source>
        <translation>Add a private note…</translation>
    </message>
    <message>
        <source>New private note</source>
        <translation>New private note</translation>
    </message>
    <message>
        <source>Add &amp;note</source>
        <translation>Add &amp;note</translation>
    </message>
    <message>
        <source>Add private note</source>
        <translation>Add private note</translation>
    </message>
    <message>
        <source>Choose a conversation in the list.</source>
        <translation>Choose a conversation in the list.</translation>
    </message>
    <message>
        <source>Ask to bring in a &amp;colleague…</source>
        <translation>Ask to bring in a &amp;colleague…</translation>
    </message>
    <message>
        <source>Ask the reporter to let a colleague read along</source>
        <translation>Ask the reporter to let a colleague read along</translation>
    </message>
    <message>
        <source>Conversation with %1</source>
        <translation>Conversation with %1</translation>
    </message>
    <message>
        <source>not given</source>
        <translation>not given</translation>
    </message>
    <message>
        <source>Age: %1 · Gender: %2</source>
        <translation>Age: %1 · Gender: %2</translation>
    </message>
    <message numerus="yes">
        <source>Deleted automatically in %n days</source>
        <translation>
            <numerusform>Deleted automatically in %n day</numerusform>
            <numerusform>Deleted automatically in %n days</numerusform>
        </translation>
    </message>
    <message>
        <source>Verification problem in this conversation: %1</source>
        <translation>Verification problem in this conversation: %1</translation>
    </message>
    <message>
        <source>Who can read it: all counsellors</source>
        <translation>Who can read it: all counsellors</translation>
    </message>
    <message>
        <source>Who can read it: only you</source>
        <translation>Who can read it: only you</translation>
    </message>
    <message>
        <source>Who can read it: you and %1</source>
        <translation>Who can read it: you and %1</translation>
    </message>
    <message>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <source>%1: asked the reporter, no answer yet</source>
        <translation>%1: asked the reporter, no answer yet</translation>
    </message>
    <message>
        <source>%1: the reporter agreed; the history was shared</source>
        <translation>%1: the reporter agreed; the history was shared</translation>
    </message>
    <message>
        <source>%1: the reporter declined</source>
        <translation>%1: the reporter declined</translation>
    </message>
    <message>
        <source>a colleague</source>
        <translation>a colleague</translation>
    </message>
    <message>
        <source>Handover: %1</source>
        <translation>Handover: %1</translation>
    </message>
    <message>
        <source>Bring in a colleague</source>
        <translation>Bring in a colleague</translation>
    </message>
    <message>
        <source>The reporter is asked first. Only if they agree can this colleague read the conversation, including what was written so far.</source>
        <translation>The reporter is asked first. Only if they agree can this colleague read the conversation, including what was written so far.</translation>
    </message>
    <message>
        <source>Attach a file</source>
        <translation>Attach a file</translation>
    </message>
    <message>
        <source>Images and PDF (*.jpg *.jpeg *.png *.webp *.heic *.pdf)</source>
        <translation>Images and PDF (*.jpg *.jpeg *.png *.webp *.heic *.pdf)</translation>
    </message>
</context>
<context>
    <name>CounsellorsTab</name>
    <message>
        <source>Before you publish the list of counsellors, compare each new colleague&apos;s safety number with them in person or by phone. Only listed devices can read new messages.</source>
        <translation>Before you publish the list of counsellors, compare each new colleague&apos;s safety number with them in person or by phone. Only listed devices can read new messages.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Username</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Devices</translation>
    </message>
    <message>
        <source>In published list</source>
        <translation>In published list</translation>
    </message>
    <message>
        <source>Safety number</source>
        <translation>Safety number</translation>
    </message>
    <message>
        <source>Counsellors</source>
        <translation>Counsellors</translation>
    </message>
    <message>
        <source>Invite &amp;counsellor</source>
        <translation>Invite &amp;counsellor</translation>
    </message>
    <message>
        <source>Invite &amp;administrator</source>
        <translation>Invite &amp;administrator</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Remove</translation>
    </message>
    <message>
        <source>&amp;Publish list of counsellors</source>
        <translation>&amp;Publish list of counsellors</translation>
    </message>
    <message>
        <source>Compare and publish…</source>
        <translation>Compare and publish…</translation>
    </message>
    <message>
        <source>Publish the list of counsellors</source>
        <translation>Publish the list of counsellors</translation>
    </message>
    <message>
        <source>&amp;Share conversations with new devices</source>
        <translation>&amp;Share conversations with new devices</translation>
    </message>
    <message>
        <source>Invitation code</source>
        <translation>Invitation code</translation>
    </message>
    <message>
        <source>Co&amp;mputers of the selected counsellor:</source>
        <translation>Co&amp;mputers of the selected counsellor:</translation>
    </message>
    <message>
        <source>Computer</source>
        <translation>Computer</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>Computers of the selected counsellor</source>
        <translation>Computers of the selected counsellor</translation>
    </message>
    <message>
        <source>Remove comp&amp;uter…</source>
        <translation>Remove comp&amp;uter…</translation>
    </message>
    <message>
        <source>Remove the selected computer</source>
        <translation>Remove the selected computer</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>yes</translation>
    </message>
    <message>
        <source>no, not yet</source>
        <translation>no, not yet</translation>
    </message>
    <message numerus="yes">
        <source>yes, but not %n new computer(s)</source>
        <translation>
            <numerusform>yes, except %n new computer</numerusform>
            <numerusform>yes, except %n new computers</numerusform>
        </translation>
    </message>
    <message>
        <source>Not in the published list yet: %1. Their computers cannot read messages until you compare their safety numbers and publish the list.</source>
        <translation>Not in the published list yet: %1. Their computers cannot read messages until you compare their safety numbers and publish the list.</translation>
    </message>
    <message>
        <source>this computer</source>
        <translation>this computer</translation>
    </message>
    <message>
        <source>Computer %1 was removed and signed out. The list of counsellors was published.</source>
        <translation>Computer %1 was removed and signed out. The list of counsellors was published.</translation>
    </message>
    <message>
        <source>Remove computer</source>
        <translation>Remove computer</translation>
    </message>
    <message>
        <source>Remove computer %1 of %2 from the list of counsellors? That computer is signed out at once, cannot log in again and cannot read new messages. %2&apos;s other computers keep working. To use this computer again, it must be added anew as a further computer (from the key backup).</source>
        <translation>Remove computer %1 of %2 from the list of counsellors? That computer is signed out at once, cannot log in again and cannot read new messages. %2&apos;s other computers keep working. To use this computer again, it must be added anew as a further computer (from the key backup).</translation>
    </message>
    <message>
        <source>Give this one-time code to your colleague in person. It expires after 7 days.</source>
        <translation>Give this one-time code to your colleague in person. It expires after 7 days.</translation>
    </message>
    <message>
        <source>Removed. Publish the list of counsellors to stop their devices.</source>
        <translation>Removed. Publish the list of counsellors to stop their devices.</translation>
    </message>
    <message>
        <source>Remove counsellor</source>
        <translation>Remove counsellor</translation>
    </message>
    <message>
        <source>Remove this counsellor? Their sessions end at once.</source>
        <translation>Remove this counsellor? Their sessions end at once.</translation>
    </message>
    <message>
        <source>The list of counsellors was signed and published. Sharing conversations…</source>
        <translation>The list of counsellors was signed and published. Sharing conversations…</translation>
    </message>
    <message>
        <source>Did you compare the safety number of every new counsellor? Only then publish the list. The conversations that are open now are then shared with their computers.</source>
        <translation>Did you compare the safety number of every new counsellor? Only then publish the list. The conversations that are open now are then shared with their computers.</translation>
    </message>
    <message>
        <source>The list of counsellors was published; the open conversations are readable on every listed computer.</source>
        <translation>The list of counsellors was published; the open conversations are readable on every listed computer.</translation>
    </message>
    <message>
        <source>The list was published, but the open conversations could not be shared with the new computers: %1 Try again with the button Share conversations.</source>
        <translation>The list was published, but the open conversations could not be shared with the new computers: %1 Try again with the button Share conversations.</translation>
    </message>
    <message>
        <source>Publish list of counsellors</source>
        <translation>Publish list of counsellors</translation>
    </message>
</context>
<context>
    <name>EnrolmentWizard</name>
    <message>
        <source>Opgelucht Desk: set up</source>
        <translation>Opgelucht Desk: set up</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>The username, password or code is not correct.</source>
        <translation>The username, password or code is not correct.</translation>
    </message>
    <message numerus="yes">
        <source>Too many attempts. Try again in %n seconds.</source>
        <translation>
            <numerusform>Too many attempts. Try again in %n second.</numerusform>
            <numerusform>Too many attempts. Try again in %n seconds.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n message(s) from a sender are missing (gap)</source>
        <translation>
            <numerusform>%n message from a sender is missing (gap)</numerusform>
            <numerusform>%n messages from a sender are missing (gap)</numerusform>
        </translation>
    </message>
    <message>
        <source>This is not an Opgelucht key backup file.</source>
        <translation>This is not an Opgelucht key backup file.</translation>
    </message>
    <message>
        <source>Wrong passphrase, or the backup file has been changed.</source>
        <translation>Wrong passphrase, or the backup file has been changed.</translation>
    </message>
    <message>
        <source>The backup file is damaged.</source>
        <translation>The backup file is damaged.</translation>
    </message>
    <message>
        <source>Choose a passphrase of at least 12 characters.</source>
        <translation>Choose a passphrase of at least 12 characters.</translation>
    </message>
    <message>
        <source>The backup file cannot be read.</source>
        <translation>The backup file cannot be read.</translation>
    </message>
    <message>
        <source>This backup file holds another kind of key.</source>
        <translation>This backup file holds another kind of key.</translation>
    </message>
    <message>
        <source>This backup belongs to another organisation, organisation key or account.</source>
        <translation>This backup belongs to another organisation, organisation key or account.</translation>
    </message>
    <message>
        <source>The backup file cannot be used.</source>
        <translation>The backup file cannot be used.</translation>
    </message>
    <message>
        <source>This computer was removed from your organisation&apos;s list of counsellors (roster), for example because it was reported lost, and can no longer log in. Ask your organisation administrator. To work on it again, add it anew from your key backup (Add this computer).</source>
        <translation>This computer was removed from your organisation&apos;s list of counsellors (roster), for example because it was reported lost, and can no longer log in. Ask your organisation administrator. To work on it again, add it anew from your key backup (Add this computer).</translation>
    </message>
    <message>
        <source>The relay does not recognise this computer as one of your account&apos;s computers. Ask your organisation administrator.</source>
        <translation>The relay does not recognise this computer as one of your account&apos;s computers. Ask your organisation administrator.</translation>
    </message>
    <message>
        <source>The relay cannot be reached. Check the network connection and the relay address.</source>
        <translation>The relay cannot be reached. Check the network connection and the relay address.</translation>
    </message>
    <message>
        <source>Your session has ended. Please log in again.</source>
        <translation>Your session has ended. Please log in again.</translation>
    </message>
    <message>
        <source>No secure key store is available: %1</source>
        <translation>No secure key store is available: %1</translation>
    </message>
    <message>
        <source>Sending is blocked because the list of counsellors could not be verified: %1</source>
        <translation>Sending is blocked because the list of counsellors could not be verified: %1</translation>
    </message>
    <message>
        <source>A security check failed: %1</source>
        <translation>A security check failed: %1</translation>
    </message>
    <message>
        <source>This invitation or code has expired or was revoked.</source>
        <translation>This invitation or code has expired or was revoked.</translation>
    </message>
    <message>
        <source>The relay refused because of a conflict: %1</source>
        <translation>The relay refused because of a conflict: %1</translation>
    </message>
    <message>
        <source>You cannot remove the computer you are working on. Remove it from another computer.</source>
        <translation>You cannot remove the computer you are working on. Remove it from another computer.</translation>
    </message>
    <message>
        <source>This computer is no longer in the list (removed already?).</source>
        <translation>This computer is no longer in the list (removed already?).</translation>
    </message>
    <message>
        <source>This computer is not in the published list yet, so it cannot read messages, and it stays registered. If it was stolen, do not publish the list: remove the counsellor instead.</source>
        <translation>This computer is not in the published list yet, so it cannot read messages, and it stays registered. If it was stolen, do not publish the list: remove the counsellor instead.</translation>
    </message>
    <message>
        <source>Only an organisation administrator may do this.</source>
        <translation>Only an organisation administrator may do this.</translation>
    </message>
    <message>
        <source>This item no longer exists.</source>
        <translation>This item no longer exists.</translation>
    </message>
    <message>
        <source>The relay reported an error: %1</source>
        <translation>The relay reported an error: %1</translation>
    </message>
    <message>
        <source>Opgelucht Desk is locked. Log in again.</source>
        <translation>Opgelucht Desk is locked. Log in again.</translation>
    </message>
    <message>
        <source>Something went wrong: %1</source>
        <translation>Something went wrong: %1</translation>
    </message>
    <message>
        <source>An unexpected error occurred (%1).</source>
        <translation>An unexpected error occurred (%1).</translation>
    </message>
    <message>
        <source>This computer is not in the organisation&apos;s list of counsellors (roster): it receives no new messages until the organisation administrator publishes a roster that lists it.</source>
        <translation>This computer is not in the organisation&apos;s list of counsellors (roster): it receives no new messages until the organisation administrator publishes a roster that lists it.</translation>
    </message>
    <message>
        <source>The relay sent a list of counsellors (roster) with an invalid signature. Sending is blocked.</source>
        <translation>The relay sent a list of counsellors (roster) with an invalid signature. Sending is blocked.</translation>
    </message>
    <message>
        <source>The relay sent an older list of counsellors (roster) than this computer already knows. Sending is blocked.</source>
        <translation>The relay sent an older list of counsellors (roster) than this computer already knows. Sending is blocked.</translation>
    </message>
    <message>
        <source>The relay sent two different lists of counsellors (rosters) with the same version. Sending is blocked; contact your organisation administrator.</source>
        <translation>The relay sent two different lists of counsellors (rosters) with the same version. Sending is blocked; contact your organisation administrator.</translation>
    </message>
    <message>
        <source>The list of counsellors (roster) has expired. Sending is blocked until the organisation administrator publishes a new one.</source>
        <translation>The list of counsellors (roster) has expired. Sending is blocked until the organisation administrator publishes a new one.</translation>
    </message>
    <message>
        <source>The organisation key changed without a valid certificate. Sending is blocked.</source>
        <translation>The organisation key changed without a valid certificate. Sending is blocked.</translation>
    </message>
    <message>
        <source>The relay sent a damaged list of counsellors (roster). Sending is blocked.</source>
        <translation>The relay sent a damaged list of counsellors (roster). Sending is blocked.</translation>
    </message>
</context>
<context>
    <name>FurtherComputerDialog</name>
    <message>
        <source>Add this computer</source>
        <translation>Add this computer</translation>
    </message>
    <message>
        <source>Already using Opgelucht Desk on another computer? Open the key backup you saved there (Settings, Another computer) and log in with your password and a code from your authenticator app.</source>
        <translation>Already using Opgelucht Desk on another computer? Open the key backup you saved there (Settings, Another computer) and log in with your password and a code from your authenticator app.</translation>
    </message>
    <message>
        <source>Key &amp;backup:</source>
        <translation>Key &amp;backup:</translation>
    </message>
    <message>
        <source>Pass&amp;phrase:</source>
        <translation>Pass&amp;phrase:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Password:</translation>
    </message>
    <message>
        <source>&amp;Code:</source>
        <translation>&amp;Code:</translation>
    </message>
    <message>
        <source>&amp;Choose…</source>
        <translation>&amp;Choose…</translation>
    </message>
    <message>
        <source>Key backup file</source>
        <translation>Key backup file</translation>
    </message>
    <message>
        <source>&amp;Add this computer</source>
        <translation>&amp;Add this computer</translation>
    </message>
    <message>
        <source>Open key backup</source>
        <translation>Open key backup</translation>
    </message>
</context>
<context>
    <name>IdentityBackupBox</name>
    <message>
        <source>Another computer</source>
        <translation>Another computer</translation>
    </message>
    <message>
        <source>To use Opgelucht Desk on a second computer, save a key backup here, protected by a long passphrase, and open it on the new computer in the set-up window. Delete the file afterwards. Your admin then publishes the list of counsellors with the new computer.</source>
        <translation>To use Opgelucht Desk on a second computer, save a key backup here, protected by a long passphrase, and open it on the new computer in the set-up window. Delete the file afterwards. Your admin then publishes the list of counsellors with the new computer.</translation>
    </message>
    <message>
        <source>Pass&amp;phrase (at least 12 characters):</source>
        <translation>Pass&amp;phrase (at least 12 characters):</translation>
    </message>
    <message>
        <source>Repeat pass&amp;phrase:</source>
        <translation>Repeat pass&amp;phrase:</translation>
    </message>
    <message>
        <source>Save &amp;key backup for another computer…</source>
        <translation>Save &amp;key backup for another computer…</translation>
    </message>
    <message>
        <source>Save key backup</source>
        <translation>Save key backup</translation>
    </message>
    <message>
        <source>The two passphrases are not the same.</source>
        <translation>The two passphrases are not the same.</translation>
    </message>
    <message>
        <source>The key backup was saved.</source>
        <translation>The key backup was saved.</translation>
    </message>
</context>
<context>
    <name>InboxModel</name>
    <message>
        <source>Pseudonym</source>
        <translation>Pseudonym</translation>
    </message>
    <message>
        <source>Last activity</source>
        <translation>Last activity</translation>
    </message>
    <message>
        <source>Unread</source>
        <translation>Unread</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>Deleted in</source>
        <translation>Deleted in</translation>
    </message>
    <message>
        <source>Verification problem: %1</source>
        <translation>Verification problem: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n unread</source>
        <translation>
            <numerusform>%n unread</numerusform>
            <numerusform>%n unread</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n days</source>
        <translation>
            <numerusform>%n day</numerusform>
            <numerusform>%n days</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>InboxPage</name>
    <message>
        <source>Search conversations (Ctrl+F)</source>
        <translation>Search conversations (Ctrl+F)</translation>
    </message>
    <message>
        <source>Search conversations</source>
        <translation>Search conversations</translation>
    </message>
    <message>
        <source>Filter by status</source>
        <translation>Filter by status</translation>
    </message>
    <message>
        <source>Filter by category</source>
        <translation>Filter by category</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Conversations</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>All statuses</translation>
    </message>
    <message>
        <source>All categories</source>
        <translation>All categories</translation>
    </message>
    <message numerus="yes">
        <source>%n conversations</source>
        <translation>
            <numerusform>%n conversation</numerusform>
            <numerusform>%n conversations</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>KeyBackupTab</name>
    <message>
        <source>The organisation key signs the list of counsellors. Keep an offline backup of it, protected by a long passphrase, on a USB stick in a safe. Without the key nobody can add or remove counsellors. To restore it on a new computer, choose Import.</source>
        <translation>The organisation key signs the list of counsellors. Keep an offline backup of it, protected by a long passphrase, on a USB stick in a safe. Without the key nobody can add or remove counsellors. To restore it on a new computer, choose Import.</translation>
    </message>
    <message>
        <source>&amp;Passphrase (at least 12 characters):</source>
        <translation>&amp;Passphrase (at least 12 characters):</translation>
    </message>
    <message>
        <source>Re&amp;peat passphrase:</source>
        <translation>Re&amp;peat passphrase:</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Passphrase</translation>
    </message>
    <message>
        <source>Repeat passphrase</source>
        <translation>Repeat passphrase</translation>
    </message>
    <message>
        <source>A long sentence only you know</source>
        <translation>A long sentence only you know</translation>
    </message>
    <message>
        <source>The same passphrase again</source>
        <translation>The same passphrase again</translation>
    </message>
    <message>
        <source>&amp;Export organisation key…</source>
        <translation>&amp;Export organisation key…</translation>
    </message>
    <message>
        <source>I&amp;mport organisation key…</source>
        <translation>I&amp;mport organisation key…</translation>
    </message>
    <message>
        <source>Save organisation key backup</source>
        <translation>Save organisation key backup</translation>
    </message>
    <message>
        <source>Open organisation key backup</source>
        <translation>Open organisation key backup</translation>
    </message>
    <message>
        <source>The two passphrases are not the same.</source>
        <translation>The two passphrases are not the same.</translation>
    </message>
    <message>
        <source>The organisation key backup was saved. Keep it and the passphrase apart.</source>
        <translation>The organisation key backup was saved. Keep it and the passphrase apart.</translation>
    </message>
    <message>
        <source>The organisation key was imported: this computer can publish the list.</source>
        <translation>The organisation key was imported: this computer can publish the list.</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>new</source>
        <translation>new</translation>
    </message>
    <message>
        <source>in progress</source>
        <translation>in progress</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>closed</translation>
    </message>
    <message>
        <source>no category</source>
        <translation>no category</translation>
    </message>
    <message>
        <source>intimidation</source>
        <translation>intimidation</translation>
    </message>
    <message>
        <source>sexual harassment</source>
        <translation>sexual harassment</translation>
    </message>
    <message>
        <source>bullying</source>
        <translation>bullying</translation>
    </message>
    <message>
        <source>discrimination</source>
        <translation>discrimination</translation>
    </message>
    <message>
        <source>aggression and violence</source>
        <translation>aggression and violence</translation>
    </message>
    <message>
        <source>integrity</source>
        <translation>integrity</translation>
    </message>
    <message>
        <source>other</source>
        <translation>other</translation>
    </message>
    <message>
        <source>queued, not sent yet</source>
        <translation>queued, not sent yet</translation>
    </message>
    <message>
        <source>sent</source>
        <translation>sent</translation>
    </message>
    <message>
        <source>received</source>
        <translation>received</translation>
    </message>
    <message>
        <source>VERIFICATION FAILED: do not trust this message</source>
        <translation>VERIFICATION FAILED: do not trust this message</translation>
    </message>
    <message>
        <source>organisation administrator</source>
        <translation>organisation administrator</translation>
    </message>
    <message>
        <source>counsellor</source>
        <translation>counsellor</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>not set</translation>
    </message>
    <message>
        <source>advice</source>
        <translation>advice</translation>
    </message>
    <message>
        <source>support</source>
        <translation>support</translation>
    </message>
    <message>
        <source>mediation</source>
        <translation>mediation</translation>
    </message>
    <message>
        <source>referral</source>
        <translation>referral</translation>
    </message>
    <message>
        <source>formal complaint</source>
        <translation>formal complaint</translation>
    </message>
</context>
<context>
    <name>LoginWindow</name>
    <message>
        <source>Opgelucht Desk: log in</source>
        <translation>Opgelucht Desk: log in</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>Log in</translation>
    </message>
    <message>
        <source>%1 (%2) at %3</source>
        <translation>%1 (%2) at %3</translation>
    </message>
    <message>
        <source>Your conversations are hidden until you log in again.</source>
        <translation>Your conversations are hidden until you log in again.</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Password:</translation>
    </message>
    <message>
        <source>&amp;Code:</source>
        <translation>&amp;Code:</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>Six-digit code from your authenticator app</source>
        <translation>Six-digit code from your authenticator app</translation>
    </message>
    <message>
        <source>Your session on the relay has ended. Log in again to continue.</source>
        <translation>Your session on the relay has ended. Log in again to continue.</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>The relay set by IT is unusable: %1</source>
        <translation>The relay set by IT is unusable: %1</translation>
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
        <translation>Lock</translation>
    </message>
    <message>
        <source>Lock Opgelucht Desk</source>
        <translation>Lock Opgelucht Desk</translation>
    </message>
    <message>
        <source>Lock now (Ctrl+L); log in again to continue</source>
        <translation>Lock now (Ctrl+L); log in again to continue</translation>
    </message>
    <message>
        <source>S&amp;tatistics</source>
        <translation>S&amp;tatistics</translation>
    </message>
    <message>
        <source>Annual &amp;report</source>
        <translation>Annual &amp;report</translation>
    </message>
    <message>
        <source>&amp;Organisation</source>
        <translation>&amp;Organisation</translation>
    </message>
    <message>
        <source>Setti&amp;ngs</source>
        <translation>Setti&amp;ngs</translation>
    </message>
    <message>
        <source>Sections</source>
        <translation>Sections</translation>
    </message>
    <message>
        <source>Synchronisation progress</source>
        <translation>Synchronisation progress</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Dismiss</translation>
    </message>
    <message>
        <source>Dismiss the roster notice</source>
        <translation>Dismiss the roster notice</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Connected</translation>
    </message>
    <message>
        <source>Offline: replies wait in the outbox</source>
        <translation>Offline: replies wait in the outbox</translation>
    </message>
    <message>
        <source>Synchronising %v of %m</source>
        <translation>Synchronising %v of %m</translation>
    </message>
    <message>
        <source>Security warning: %1</source>
        <translation>Security warning: %1</translation>
    </message>
    <message>
        <source>The list of counsellors and their computers (roster) has changed: version %1. Check under Organisation that only your own computers are listed under your name; report any computer you do not know.</source>
        <translation>The list of counsellors and their computers (roster) has changed: version %1. Check under Organisation that only your own computers are listed under your name; report any computer you do not know.</translation>
    </message>
    <message>
        <source>The list of counsellors and their computers (roster) has changed: version %1. Ask your organisation&apos;s admin to check with you that only your own computers are listed under your name; report any computer you do not know.</source>
        <translation>The list of counsellors and their computers (roster) has changed: version %1. Ask your organisation&apos;s admin to check with you that only your own computers are listed under your name; report any computer you do not know.</translation>
    </message>
</context>
<context>
    <name>MessageBubble</name>
    <message>
        <source>(This message failed verification; its content is not shown.)</source>
        <translation>(This message failed verification; its content is not shown.)</translation>
    </message>
    <message>
        <source>Sent by you or a colleague</source>
        <translation>Sent by you or a colleague</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Received</translation>
    </message>
</context>
<context>
    <name>Notifications</name>
    <message>
        <source>New message in a conversation</source>
        <translation>New message in a conversation</translation>
    </message>
    <message numerus="yes">
        <source>%n new messages in your conversations</source>
        <translation>
            <numerusform>%n new message in your conversations</numerusform>
            <numerusform>%n new messages in your conversations</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>New activity in %n conversations; log in to read it</source>
        <translation>
            <numerusform>New activity in %n conversation; log in to read it</numerusform>
            <numerusform>New activity in %n conversations; log in to read it</numerusform>
        </translation>
    </message>
    <message>
        <source>New activity in a conversation; log in to read it</source>
        <translation>New activity in a conversation; log in to read it</translation>
    </message>
    <message>
        <source>Show Opgelucht Desk</source>
        <translation>Show Opgelucht Desk</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>Lock</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Quit</translation>
    </message>
    <message numerus="yes">
        <source>Opgelucht Desk: %n unread</source>
        <translation>
            <numerusform>Opgelucht Desk: %n unread</numerusform>
            <numerusform>Opgelucht Desk: %n unread</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Password</name>
    <message numerus="yes">
        <source>Too short: use at least %n characters.</source>
        <translation>
            <numerusform>Too short: use at least %n character.</numerusform>
            <numerusform>Too short: use at least %n characters.</numerusform>
        </translation>
    </message>
    <message>
        <source>Easy to guess: use a sentence of four or more unusual words.</source>
        <translation>Easy to guess: use a sentence of four or more unusual words.</translation>
    </message>
    <message>
        <source>Still easy to guess: add more words.</source>
        <translation>Still easy to guess: add more words.</translation>
    </message>
    <message>
        <source>Still guessable: add more words.</source>
        <translation>Still guessable: add more words.</translation>
    </message>
    <message>
        <source>Good: hard to guess.</source>
        <translation>Good: hard to guess.</translation>
    </message>
    <message>
        <source>Excellent: very hard to guess.</source>
        <translation>Excellent: very hard to guess.</translation>
    </message>
    <message>
        <source>Very weak</source>
        <translation>Very weak</translation>
    </message>
    <message>
        <source>Weak</source>
        <translation>Weak</translation>
    </message>
    <message>
        <source>Fair</source>
        <translation>Fair</translation>
    </message>
    <message>
        <source>Strong</source>
        <translation>Strong</translation>
    </message>
    <message>
        <source>Very strong</source>
        <translation>Very strong</translation>
    </message>
</context>
<context>
    <name>PresentationBox</name>
    <message>
        <source>How reporters see you</source>
        <translation>How reporters see you</translation>
    </message>
    <message>
        <source>Employees choose whom they talk to. They see your name and what you write here, once the organisation&apos;s admin has published the next roster.</source>
        <translation>Employees choose whom they talk to. They see your name and what you write here, once the organisation&apos;s admin has published the next roster.</translation>
    </message>
    <message>
        <source>R&amp;ole (e.g. internal, external):</source>
        <translation>R&amp;ole (e.g. internal, external):</translation>
    </message>
    <message>
        <source>Introduction (&amp;Dutch):</source>
        <translation>Introduction (&amp;Dutch):</translation>
    </message>
    <message>
        <source>Introduction (&amp;English):</source>
        <translation>Introduction (&amp;English):</translation>
    </message>
    <message>
        <source>Availability (D&amp;utch):</source>
        <translation>Availability (D&amp;utch):</translation>
    </message>
    <message>
        <source>Availability (En&amp;glish):</source>
        <translation>Availability (En&amp;glish):</translation>
    </message>
    <message>
        <source>e.g. afwezig tot 12 januari</source>
        <translation>e.g. afwezig tot 12 januari</translation>
    </message>
    <message>
        <source>e.g. away until 12 January</source>
        <translation>e.g. away until 12 January</translation>
    </message>
    <message>
        <source>&amp;Save presentation</source>
        <translation>&amp;Save presentation</translation>
    </message>
    <message>
        <source>Saved. Reporters see it after the next roster is published.</source>
        <translation>Saved. Reporters see it after the next roster is published.</translation>
    </message>
</context>
<context>
    <name>PresentationDialog</name>
    <message>
        <source>How reporters see you</source>
        <translation>How reporters see you</translation>
    </message>
</context>
<context>
    <name>Problems</name>
    <message>
        <source>a message was sent under a different list of counsellors than this computer was shown</source>
        <translation>a message was sent under a different list of counsellors than this computer was shown</translation>
    </message>
    <message>
        <source>a sender&apos;s first message claims an earlier one (fork)</source>
        <translation>a sender&apos;s first message claims an earlier one (fork)</translation>
    </message>
    <message>
        <source>two different messages claim the same place in a sender&apos;s thread (fork)</source>
        <translation>two different messages claim the same place in a sender&apos;s thread (fork)</translation>
    </message>
    <message>
        <source>a message does not follow the sender&apos;s previous one (fork)</source>
        <translation>a message does not follow the sender&apos;s previous one (fork)</translation>
    </message>
    <message>
        <source>a message failed verification</source>
        <translation>a message failed verification</translation>
    </message>
    <message>
        <source>a shared message key failed verification and was refused</source>
        <translation>a shared message key failed verification and was refused</translation>
    </message>
    <message>
        <source>a message key shared by a computer removed from the list (version %1) was refused</source>
        <translation>a message key shared by a computer removed from the list (version %1) was refused</translation>
    </message>
</context>
<context>
    <name>RelayPage</name>
    <message>
        <source>Welcome to Opgelucht Desk</source>
        <translation>Welcome to Opgelucht Desk</translation>
    </message>
    <message>
        <source>Enter the relay address and the one-time invitation code you received from your organisation administrator or from the Opgelucht service desk.</source>
        <translation>Enter the relay address and the one-time invitation code you received from your organisation administrator or from the Opgelucht service desk.</translation>
    </message>
    <message>
        <source>&amp;Relay address:</source>
        <translation>&amp;Relay address:</translation>
    </message>
    <message>
        <source>Set by your IT department.</source>
        <translation>Set by your IT department.</translation>
    </message>
    <message>
        <source>&amp;Invitation code:</source>
        <translation>&amp;Invitation code:</translation>
    </message>
    <message>
        <source>Relay address</source>
        <translation>Relay address</translation>
    </message>
    <message>
        <source>Invitation code</source>
        <translation>Invitation code</translation>
    </message>
    <message>
        <source>Already enrolled on another computer? Add &amp;this computer…</source>
        <translation>Already enrolled on another computer? Add &amp;this computer…</translation>
    </message>
</context>
<context>
    <name>SafetyNumberPage</name>
    <message>
        <source>Safety number: %1</source>
        <translation>Safety number: %1</translation>
    </message>
    <message>
        <source>This is the safety number of your key. You find it again under Settings. As the administrator you compare the safety number of each new colleague with them before you add them to the list of counsellors.</source>
        <translation>This is the safety number of your key. You find it again under Settings. As the administrator you compare the safety number of each new colleague with them before you add them to the list of counsellors.</translation>
    </message>
    <message>
        <source>You are the first counsellor of your organisation and therefore its administrator. Opgelucht Desk created the organisation key on this computer.</source>
        <translation>You are the first counsellor of your organisation and therefore its administrator. Opgelucht Desk created the organisation key on this computer.</translation>
    </message>
    <message>
        <source>You can read conversations once your administrator has added this computer.</source>
        <translation>You can read conversations once your administrator has added this computer.</translation>
    </message>
    <message>
        <source>Your safety number</source>
        <translation>Your safety number</translation>
    </message>
    <message>
        <source>Compare this number with your organisation administrator, in person or by phone. They check it before adding you, so that nobody can read along in your place.</source>
        <translation>Compare this number with your organisation administrator, in person or by phone. They check it before adding you, so that nobody can read along in your place.</translation>
    </message>
</context>
<context>
    <name>SessionsBox</name>
    <message>
        <source>Active sessions</source>
        <translation>Active sessions</translation>
    </message>
    <message>
        <source>Where you are logged in with this account. Sign out any session you do not recognise.</source>
        <translation>Where you are logged in with this account. Sign out any session you do not recognise.</translation>
    </message>
    <message>
        <source>Refresh sessions</source>
        <translation>Refresh sessions</translation>
    </message>
    <message>
        <source>The session was signed out.</source>
        <translation>The session was signed out.</translation>
    </message>
    <message>
        <source>Logged in %1, last used %2</source>
        <translation>Logged in %1, last used %2</translation>
    </message>
    <message>
        <source>This computer: %1</source>
        <translation>This computer: %1</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Sign out</translation>
    </message>
    <message>
        <source>Sign out the session logged in %1</source>
        <translation>Sign out the session logged in %1</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Language:</translation>
    </message>
    <message>
        <source>Lock after &amp;idle minutes:</source>
        <translation>Lock after &amp;idle minutes:</translation>
    </message>
    <message>
        <source>&amp;Notifications:</source>
        <translation>&amp;Notifications:</translation>
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
        <translation>Your safety number:</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>Minutes of inactivity before Opgelucht Desk locks</source>
        <translation>Minutes of inactivity before Opgelucht Desk locks</translation>
    </message>
    <message>
        <source>min</source>
        <translation>min</translation>
    </message>
    <message>
        <source>Show a notification for new messages (never their content)</source>
        <translation>Show a notification for new messages (never their content)</translation>
    </message>
    <message>
        <source>Notifications for new messages</source>
        <translation>Notifications for new messages</translation>
    </message>
    <message>
        <source>Relay address</source>
        <translation>Relay address</translation>
    </message>
    <message>
        <source>The relay address was set when this computer was enrolled; it cannot be changed here.</source>
        <translation>The relay address was set when this computer was enrolled; it cannot be changed here.</translation>
    </message>
    <message>
        <source>Sign &amp;out and remove local data…</source>
        <translation>Sign &amp;out and remove local data…</translation>
    </message>
    <message>
        <source>How reporters see &amp;you…</source>
        <translation>How reporters see &amp;you…</translation>
    </message>
    <message>
        <source>How reporters see you: role, introduction and availability</source>
        <translation>How reporters see you: role, introduction and availability</translation>
    </message>
    <message>
        <source>Sign out and remove local data</source>
        <translation>Sign out and remove local data</translation>
    </message>
    <message>
        <source>What is stored about me</source>
        <translation>What is stored about me</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Refresh</translation>
    </message>
    <message>
        <source>Refresh what is stored about me</source>
        <translation>Refresh what is stored about me</translation>
    </message>
    <message>
        <source>On this computer, encrypted with a key that needs your password:</source>
        <translation>On this computer, encrypted with a key that needs your password:</translation>
    </message>
    <message numerus="yes">
        <source>• %n conversations</source>
        <translation>
            <numerusform>• %n conversation</numerusform>
            <numerusform>• %n conversations</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>• %n messages</source>
        <translation>
            <numerusform>• %n message</numerusform>
            <numerusform>• %n messages</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>• %n private notes</source>
        <translation>
            <numerusform>• %n private note</numerusform>
            <numerusform>• %n private notes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>• %n drafts</source>
        <translation>
            <numerusform>• %n draft</numerusform>
            <numerusform>• %n drafts</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>• %n replies waiting to be sent</source>
        <translation>
            <numerusform>• %n reply waiting to be sent</numerusform>
            <numerusform>• %n replies waiting to be sent</numerusform>
        </translation>
    </message>
    <message>
        <source>Oldest message: %1 (messages are deleted after 31 days)</source>
        <translation>Oldest message: %1 (messages are deleted after 31 days)</translation>
    </message>
    <message>
        <source>Data folder: %1</source>
        <translation>Data folder: %1</translation>
    </message>
    <message>
        <source>Cache file: %1</source>
        <translation>Cache file: %1</translation>
    </message>
    <message>
        <source>Key store entries (%1): %2</source>
        <translation>Key store entries (%1): %2</translation>
    </message>
    <message>
        <source>On the relay: your username, display name, a hash of your password, your public keys, hashed session tokens and a log of logins, never the content of conversations.</source>
        <translation>On the relay: your username, display name, a hash of your password, your public keys, hashed session tokens and a log of logins, never the content of conversations.</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Sign out</translation>
    </message>
    <message>
        <source>Sign out and delete the local copy of all conversations on this computer? Your keys stay; after you log in again, the conversations are downloaded again from the relay.</source>
        <translation>Sign out and delete the local copy of all conversations on this computer? Your keys stay; after you log in again, the conversations are downloaded again from the relay.</translation>
    </message>
</context>
<context>
    <name>Sharing</name>
    <message>
        <source>Not shared with this computer yet</source>
        <translation>Not shared with this computer yet</translation>
    </message>
    <message>
        <source>Not shared with this computer yet: a colleague shares older messages as soon as the administrator publishes the list.</source>
        <translation>Not shared with this computer yet: a colleague shares older messages as soon as the administrator publishes the list.</translation>
    </message>
    <message>
        <source>Older messages have not been shared with this computer yet; a colleague who has them can share them.</source>
        <translation>Older messages have not been shared with this computer yet; a colleague who has them can share them.</translation>
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
        <translation>%1 (in progress)</translation>
    </message>
    <message>
        <source>fewer than 5 users</source>
        <translation>fewer than 5 users</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>Statistics</translation>
    </message>
    <message>
        <source>Usage of the app per organisation code. Numbers are rounded to multiples of 5; codes used by fewer than 5 people are hidden so that nobody can be singled out.</source>
        <translation>Usage of the app per organisation code. Numbers are rounded to multiples of 5; codes used by fewer than 5 people are hidden so that nobody can be singled out.</translation>
    </message>
    <message>
        <source>&amp;Period:</source>
        <translation>&amp;Period:</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>&amp;Export as CSV…</source>
        <translation>&amp;Export as CSV…</translation>
    </message>
    <message>
        <source>Export statistics as CSV</source>
        <translation>Export statistics as CSV</translation>
    </message>
    <message>
        <source>Active devices per code</source>
        <translation>Active devices per code</translation>
    </message>
    <message>
        <source>Chart of active devices per code</source>
        <translation>Chart of active devices per code</translation>
    </message>
    <message>
        <source>Counts per code</source>
        <translation>Counts per code</translation>
    </message>
    <message>
        <source>No counts to show for this period: nobody used the app, or too few people to show anything without singling someone out.</source>
        <translation>No counts to show for this period: nobody used the app, or too few people to show anything without singling someone out.</translation>
    </message>
    <message>
        <source>%1 is not over yet. Its figures appear from %2 on, once the month has ended; a published period never changes afterwards.</source>
        <translation>%1 is not over yet. Its figures appear from %2 on, once the month has ended; a published period never changes afterwards.</translation>
    </message>
    <message>
        <source>All codes</source>
        <translation>All codes</translation>
    </message>
    <message>
        <source>fewer than 5</source>
        <translation>fewer than 5</translation>
    </message>
    <message>
        <source>Export statistics</source>
        <translation>Export statistics</translation>
    </message>
</context>
<context>
    <name>TotpPage</name>
    <message>
        <source>QR code for your authenticator app</source>
        <translation>QR code for your authenticator app</translation>
    </message>
    <message>
        <source>Or type this key: %1</source>
        <translation>Or type this key: %1</translation>
    </message>
    <message>
        <source>Two-step verification</source>
        <translation>Two-step verification</translation>
    </message>
    <message>
        <source>Scan this QR code with an authenticator app on your phone, then type the six-digit code it shows. After that, Opgelucht Desk creates the keys of this computer.</source>
        <translation>Scan this QR code with an authenticator app on your phone, then type the six-digit code it shows. After that, Opgelucht Desk creates the keys of this computer.</translation>
    </message>
    <message>
        <source>&amp;Code:</source>
        <translation>&amp;Code:</translation>
    </message>
    <message>
        <source>Six-digit code from your authenticator app</source>
        <translation>Six-digit code from your authenticator app</translation>
    </message>
    <message>
        <source>Cop&amp;y key</source>
        <translation>Cop&amp;y key</translation>
    </message>
    <message>
        <source>Copy the key for your authenticator app</source>
        <translation>Copy the key for your authenticator app</translation>
    </message>
    <message>
        <source>Key generation progress</source>
        <translation>Key generation progress</translation>
    </message>
    <message>
        <source>Generating keys</source>
        <translation>Generating keys</translation>
    </message>
    <message>
        <source>Registering this computer</source>
        <translation>Registering this computer</translation>
    </message>
    <message>
        <source>Creating the organisation key</source>
        <translation>Creating the organisation key</translation>
    </message>
    <message>
        <source>Protecting the keys with your password</source>
        <translation>Protecting the keys with your password</translation>
    </message>
    <message>
        <source>Opening the inbox</source>
        <translation>Opening the inbox</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Done</translation>
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
        <translation>Check for updates automatically</translation>
    </message>
    <message>
        <source>Once a day Opgelucht Desk asks the update site which version is current. The request carries nothing about you, your organisation or your conversations.</source>
        <translation>Once a day Opgelucht Desk asks the update site which version is current. The request carries nothing about you, your organisation or your conversations.</translation>
    </message>
    <message>
        <source>Check now</source>
        <translation>Check now</translation>
    </message>
    <message>
        <source>Disabled: the update setting of your IT department cannot be used (%1).</source>
        <translation>Disabled: the update setting of your IT department cannot be used (%1).</translation>
    </message>
    <message>
        <source>Disabled by your IT department</source>
        <translation>Disabled by your IT department</translation>
    </message>
    <message>
        <source>Installed version: %1.</source>
        <translation>Installed version: %1.</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>This is the latest version (checked %1).</source>
        <translation>This is the latest version (checked %1).</translation>
    </message>
    <message>
        <source>Checking for updates did not work (no connection to the update site). Opgelucht Desk tries again later.</source>
        <translation>Checking for updates did not work (no connection to the update site). Opgelucht Desk tries again later.</translation>
    </message>
    <message>
        <source>This build of Opgelucht Desk cannot check for updates (it contains no release key). Your IT department installs updates.</source>
        <translation>This build of Opgelucht Desk cannot check for updates (it contains no release key). Your IT department installs updates.</translation>
    </message>
    <message>
        <source>A newer version exists, but not for this kind of computer.</source>
        <translation>A newer version exists, but not for this kind of computer.</translation>
    </message>
    <message>
        <source>it is not signed by Opgelucht</source>
        <translation>it is not signed by Opgelucht</translation>
    </message>
    <message>
        <source>it has expired; the update site may be out of date</source>
        <translation>it has expired; the update site may be out of date</translation>
    </message>
    <message>
        <source>it offers an older version than the installed one</source>
        <translation>it offers an older version than the installed one</translation>
    </message>
    <message>
        <source>Warning: the update information was refused (%1). No update is offered; tell your IT department.</source>
        <translation>Warning: the update information was refused (%1). No update is offered; tell your IT department.</translation>
    </message>
    <message>
        <source>it is damaged</source>
        <translation>it is damaged</translation>
    </message>
</context>
<context>
    <name>UpdateNotice</name>
    <message>
        <source>Dismiss</source>
        <translation>Dismiss</translation>
    </message>
    <message>
        <source>Dismiss the update notice</source>
        <translation>Dismiss the update notice</translation>
    </message>
</context>
<context>
    <name>UpdateTexts</name>
    <message>
        <source>Version %1 is available.</source>
        <translation>Version %1 is available.</translation>
    </message>
    <message>
        <source>Download…</source>
        <translation>Download…</translation>
    </message>
    <message>
        <source>Choose a folder for the installer</source>
        <translation>Choose a folder for the installer</translation>
    </message>
    <message>
        <source>Downloading and checking version %1…</source>
        <translation>Downloading and checking version %1…</translation>
    </message>
    <message>
        <source>Verified installer saved in %1. Opgelucht Desk does not install or open it: your IT department installs it, or you do if you are allowed to.</source>
        <translation>Verified installer saved in %1. Opgelucht Desk does not install or open it: your IT department installs it, or you do if you are allowed to.</translation>
    </message>
    <message>
        <source>The download did not match the signed release information and was deleted. Nothing was installed.</source>
        <translation>The download did not match the signed release information and was deleted. Nothing was installed.</translation>
    </message>
    <message>
        <source>The installer could not be saved in this folder. Choose another folder.</source>
        <translation>The installer could not be saved in this folder. Choose another folder.</translation>
    </message>
    <message>
        <source>The download did not work (no connection to the update site). Try again later.</source>
        <translation>The download did not work (no connection to the update site). Try again later.</translation>
    </message>
</context>
</TS>
