"""The HTML pages, one blueprint per audience: traveller, staff (the result a QR code opens,
manual codes, /scan), embed (the widget), developers and data. A page never imports another page
or the API."""
