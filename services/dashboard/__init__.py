"""Dashboard service: the web page borough leads and analysts use, the live update stream,
ward maps and the Borough SN Performance Pack (HTML and PDF)."""
