from buf.validate import validate_pb2 as _validate_pb2
from switchboard.image.v1 import image_pb2 as _image_pb2
from switchboard.notification.v1 import notification_pb2 as _notification_pb2
from switchboard.user.v1 import user_pb2 as _user_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UserCreated(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: _user_pb2.User
    def __init__(self, user: _Optional[_Union[_user_pb2.User, _Mapping]] = ...) -> None: ...

class UserUpdated(_message.Message):
    __slots__ = ("user", "changed_fields")
    USER_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    user: _user_pb2.User
    changed_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, user: _Optional[_Union[_user_pb2.User, _Mapping]] = ..., changed_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class UserDeleted(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    def __init__(self, user_id: _Optional[str] = ...) -> None: ...

class ImageUploaded(_message.Message):
    __slots__ = ("image",)
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    image: _image_pb2.Image
    def __init__(self, image: _Optional[_Union[_image_pb2.Image, _Mapping]] = ...) -> None: ...

class ImageProcessed(_message.Message):
    __slots__ = ("image_id", "owner_id", "variant")
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    owner_id: str
    variant: _image_pb2.ImageVariant
    def __init__(self, image_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., variant: _Optional[_Union[_image_pb2.ImageVariant, _Mapping]] = ...) -> None: ...

class ImageProcessingRequested(_message.Message):
    __slots__ = ("image_id", "owner_id", "operations")
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    owner_id: str
    operations: _containers.RepeatedCompositeFieldContainer[_image_pb2.Operation]
    def __init__(self, image_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., operations: _Optional[_Iterable[_Union[_image_pb2.Operation, _Mapping]]] = ...) -> None: ...

class NotificationRequested(_message.Message):
    __slots__ = ("notification",)
    NOTIFICATION_FIELD_NUMBER: _ClassVar[int]
    notification: _notification_pb2.Notification
    def __init__(self, notification: _Optional[_Union[_notification_pb2.Notification, _Mapping]] = ...) -> None: ...

class NotificationDelivered(_message.Message):
    __slots__ = ("notification_id", "user_id", "channels")
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    notification_id: str
    user_id: str
    channels: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, notification_id: _Optional[str] = ..., user_id: _Optional[str] = ..., channels: _Optional[_Iterable[str]] = ...) -> None: ...
