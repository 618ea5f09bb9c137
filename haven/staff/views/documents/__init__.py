"""The Activity Log and a client's documents: listing, uploading, sharing to the portal (DOC-1..DOC-6, DOC-9).

- ``activity_log``: the list with its globes and Share Status, and Share all;
- ``detail``: one document's page (versions, share dialog, Share to Sign);
- ``sharing``: the share dialog's recipients;
- ``files``: uploading, adding a version, opening a file;
- ``document_types``: the administrators' portal exceptions.
"""

from haven.staff.views.documents._common import PDF
from haven.staff.views.documents._common import chart_context as _chart_context
from haven.staff.views.documents.activity_log import activity_log, share_all
from haven.staff.views.documents.detail import detail_context as _detail_context
from haven.staff.views.documents.detail import document_detail
from haven.staff.views.documents.document_types import document_type_update, document_types
from haven.staff.views.documents.files import document_file, document_upload, document_version_add
from haven.staff.views.documents.sharing import document_share

__all__ = [
    "PDF",
    "_chart_context",
    "_detail_context",
    "activity_log",
    "document_detail",
    "document_file",
    "document_share",
    "document_type_update",
    "document_types",
    "document_upload",
    "document_version_add",
    "share_all",
]
