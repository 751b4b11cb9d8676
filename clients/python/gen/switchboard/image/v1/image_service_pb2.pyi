from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from switchboard.image.v1 import image_pb2 as _image_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Stage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STAGE_UNSPECIFIED: _ClassVar[Stage]
    STAGE_RECEIVING: _ClassVar[Stage]
    STAGE_DECODING: _ClassVar[Stage]
    STAGE_PROCESSING: _ClassVar[Stage]
    STAGE_STORING: _ClassVar[Stage]
    STAGE_DONE: _ClassVar[Stage]
STAGE_UNSPECIFIED: Stage
STAGE_RECEIVING: Stage
STAGE_DECODING: Stage
STAGE_PROCESSING: Stage
STAGE_STORING: Stage
STAGE_DONE: Stage

class UploadMetadata(_message.Message):
    __slots__ = ("filename", "content_type", "size_bytes", "sha256", "owner_id")
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    owner_id: str
    def __init__(self, filename: _Optional[str] = ..., content_type: _Optional[str] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ..., owner_id: _Optional[str] = ...) -> None: ...

class UploadImageRequest(_message.Message):
    __slots__ = ("metadata", "chunk")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    metadata: UploadMetadata
    chunk: bytes
    def __init__(self, metadata: _Optional[_Union[UploadMetadata, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class UploadImageResponse(_message.Message):
    __slots__ = ("image",)
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    image: _image_pb2.Image
    def __init__(self, image: _Optional[_Union[_image_pb2.Image, _Mapping]] = ...) -> None: ...

class DownloadImageRequest(_message.Message):
    __slots__ = ("image_id", "variant_id", "chunk_size", "offset", "length")
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    VARIANT_ID_FIELD_NUMBER: _ClassVar[int]
    CHUNK_SIZE_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    LENGTH_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    variant_id: str
    chunk_size: int
    offset: int
    length: int
    def __init__(self, image_id: _Optional[str] = ..., variant_id: _Optional[str] = ..., chunk_size: _Optional[int] = ..., offset: _Optional[int] = ..., length: _Optional[int] = ...) -> None: ...

class DownloadMetadata(_message.Message):
    __slots__ = ("image", "content_type", "size_bytes", "sha256")
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    image: _image_pb2.Image
    content_type: str
    size_bytes: int
    sha256: str
    def __init__(self, image: _Optional[_Union[_image_pb2.Image, _Mapping]] = ..., content_type: _Optional[str] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ...) -> None: ...

class DownloadImageResponse(_message.Message):
    __slots__ = ("metadata", "chunk")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    metadata: DownloadMetadata
    chunk: bytes
    def __init__(self, metadata: _Optional[_Union[DownloadMetadata, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class ProcessImageRequest(_message.Message):
    __slots__ = ("image_id", "operations")
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    operations: _containers.RepeatedCompositeFieldContainer[_image_pb2.Operation]
    def __init__(self, image_id: _Optional[str] = ..., operations: _Optional[_Iterable[_Union[_image_pb2.Operation, _Mapping]]] = ...) -> None: ...

class ProcessImageResponse(_message.Message):
    __slots__ = ("variant",)
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    variant: _image_pb2.ImageVariant
    def __init__(self, variant: _Optional[_Union[_image_pb2.ImageVariant, _Mapping]] = ...) -> None: ...

class ProcessImageStreamStart(_message.Message):
    __slots__ = ("metadata", "operations")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    metadata: UploadMetadata
    operations: _containers.RepeatedCompositeFieldContainer[_image_pb2.Operation]
    def __init__(self, metadata: _Optional[_Union[UploadMetadata, _Mapping]] = ..., operations: _Optional[_Iterable[_Union[_image_pb2.Operation, _Mapping]]] = ...) -> None: ...

class ProcessImageStreamRequest(_message.Message):
    __slots__ = ("start", "chunk")
    START_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    start: ProcessImageStreamStart
    chunk: bytes
    def __init__(self, start: _Optional[_Union[ProcessImageStreamStart, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class Progress(_message.Message):
    __slots__ = ("stage", "bytes_received", "bytes_total")
    STAGE_FIELD_NUMBER: _ClassVar[int]
    BYTES_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    BYTES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    stage: Stage
    bytes_received: int
    bytes_total: int
    def __init__(self, stage: _Optional[_Union[Stage, str]] = ..., bytes_received: _Optional[int] = ..., bytes_total: _Optional[int] = ...) -> None: ...

class ProcessImageStreamResult(_message.Message):
    __slots__ = ("image", "variant")
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    image: _image_pb2.Image
    variant: _image_pb2.ImageVariant
    def __init__(self, image: _Optional[_Union[_image_pb2.Image, _Mapping]] = ..., variant: _Optional[_Union[_image_pb2.ImageVariant, _Mapping]] = ...) -> None: ...

class ProcessImageStreamResponse(_message.Message):
    __slots__ = ("progress", "result")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    progress: Progress
    result: ProcessImageStreamResult
    def __init__(self, progress: _Optional[_Union[Progress, _Mapping]] = ..., result: _Optional[_Union[ProcessImageStreamResult, _Mapping]] = ...) -> None: ...

class GetImageRequest(_message.Message):
    __slots__ = ("image_id",)
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    def __init__(self, image_id: _Optional[str] = ...) -> None: ...

class GetImageResponse(_message.Message):
    __slots__ = ("image",)
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    image: _image_pb2.Image
    def __init__(self, image: _Optional[_Union[_image_pb2.Image, _Mapping]] = ...) -> None: ...

class ListImagesRequest(_message.Message):
    __slots__ = ("owner_id", "page_size", "page_token")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    page_size: int
    page_token: str
    def __init__(self, owner_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListImagesResponse(_message.Message):
    __slots__ = ("images", "next_page_token")
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    images: _containers.RepeatedCompositeFieldContainer[_image_pb2.Image]
    next_page_token: str
    def __init__(self, images: _Optional[_Iterable[_Union[_image_pb2.Image, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteImageRequest(_message.Message):
    __slots__ = ("image_id",)
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    def __init__(self, image_id: _Optional[str] = ...) -> None: ...

class DeleteImageResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
