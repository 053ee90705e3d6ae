"""Export writers, fed by plain read models (:mod:`storage.exports.tables`): the workbook (:mod:`.xlsx`), a zip of
CSVs (:mod:`.csvzip`), one JSON document with its schema (:mod:`.jsondoc`), the printable PDF report
(:mod:`.report`) and the events' iCalendar feed (:mod:`.calendar`). The monthly tables' columns are in
:mod:`.monthly`. Writers stream: a table's rows are read once and never held whole.
"""
