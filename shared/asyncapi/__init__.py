"""The AsyncAPI 3 documents of the product's Kafka topics, generated from the code.

Each service declares what it reads and writes on its FastStream broker: subscribers for the
topics it consumes, publishers (:func:`declare_publisher`) for the topics it writes, used to
send. Its document (:func:`service_document`) lists those topics with the contracts' JSON
Schemas as payloads, the topic keys and headers from :mod:`shared.topics`, and the product's
servers; the product's document (:func:`product_document`) joins every service's. Each
service serves its own at ``/asyncapi.json`` (:func:`mount_asyncapi`); ``snt docs`` writes the
product's.
"""

from shared.asyncapi.document import SERVERS, product_document, service_document
from shared.asyncapi.http import mount_asyncapi
from shared.asyncapi.publishers import declare_publisher

__all__ = [
    "SERVERS",
    "declare_publisher",
    "mount_asyncapi",
    "product_document",
    "service_document",
]
