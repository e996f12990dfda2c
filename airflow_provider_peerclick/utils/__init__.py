"""What the operators, sensors and triggers share, private to the provider.

``tasks`` (a task's pool and hook, template checks), ``report_window`` (report arguments, checked at parse
time and completed from the data interval), ``observations`` (what sensors and triggers poll for),
``entities`` (campaigns and offers as one kind) and ``lineage`` (OpenLineage of the report tasks).
"""
