"""Immich's `SystemConfigDto` and its nested schemas, and the validation of a config against them.

The schemas are Immich v2.7.5's OpenAPI definitions (descriptions left out). `validate`
applies them as Immich's request validation does: every required field present with the
right type, numbers within their bounds, enum members only; properties the schema does not
name are dropped (the whitelist of Immich's validation pipe). Problems come back as
class-validator's messages, so an admin screen shows the same text it shows for Immich.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final
from urllib.parse import urlsplit

SCHEMAS: Final[dict[str, dict[str, Any]]] = {
    "AudioCodec": {"enum": ["mp3", "aac", "libopus", "opus", "pcm_s16le"], "type": "string"},
    "CLIPConfig": {
        "properties": {"enabled": {"type": "boolean"}, "modelName": {"type": "string"}},
        "required": ["enabled", "modelName"],
        "type": "object",
    },
    "CQMode": {"enum": ["auto", "cqp", "icq"], "type": "string"},
    "Colorspace": {"enum": ["srgb", "p3"], "type": "string"},
    "DatabaseBackupConfig": {
        "properties": {
            "cronExpression": {"type": "string"},
            "enabled": {"type": "boolean"},
            "keepLastAmount": {"minimum": 1, "type": "number"},
        },
        "required": ["cronExpression", "enabled", "keepLastAmount"],
        "type": "object",
    },
    "DuplicateDetectionConfig": {
        "properties": {
            "enabled": {"type": "boolean"},
            "maxDistance": {"format": "double", "maximum": 0.1, "minimum": 0.001, "type": "number"},
        },
        "required": ["enabled", "maxDistance"],
        "type": "object",
    },
    "FacialRecognitionConfig": {
        "properties": {
            "enabled": {"type": "boolean"},
            "maxDistance": {"format": "double", "maximum": 2, "minimum": 0.1, "type": "number"},
            "minFaces": {"minimum": 1, "type": "integer"},
            "minScore": {"format": "double", "maximum": 1, "minimum": 0.1, "type": "number"},
            "modelName": {"type": "string"},
        },
        "required": ["enabled", "maxDistance", "minFaces", "minScore", "modelName"],
        "type": "object",
    },
    "ImageFormat": {"enum": ["jpeg", "webp"], "type": "string"},
    "JobSettingsDto": {
        "properties": {"concurrency": {"minimum": 1, "type": "integer"}},
        "required": ["concurrency"],
        "type": "object",
    },
    "LogLevel": {"enum": ["verbose", "debug", "log", "warn", "error", "fatal"], "type": "string"},
    "MachineLearningAvailabilityChecksDto": {
        "properties": {
            "enabled": {"type": "boolean"},
            "interval": {"type": "number"},
            "timeout": {"type": "number"},
        },
        "required": ["enabled", "interval", "timeout"],
        "type": "object",
    },
    "OAuthTokenEndpointAuthMethod": {"enum": ["client_secret_post", "client_secret_basic"], "type": "string"},
    "OcrConfig": {
        "properties": {
            "enabled": {"type": "boolean"},
            "maxResolution": {"minimum": 1, "type": "integer"},
            "minDetectionScore": {"format": "double", "maximum": 1, "minimum": 0.1, "type": "number"},
            "minRecognitionScore": {"format": "double", "maximum": 1, "minimum": 0.1, "type": "number"},
            "modelName": {"type": "string"},
        },
        "required": ["enabled", "maxResolution", "minDetectionScore", "minRecognitionScore", "modelName"],
        "type": "object",
    },
    "SystemConfigBackupsDto": {
        "properties": {"database": {"$ref": "#/components/schemas/DatabaseBackupConfig"}},
        "required": ["database"],
        "type": "object",
    },
    "SystemConfigDto": {
        "properties": {
            "backup": {"$ref": "#/components/schemas/SystemConfigBackupsDto"},
            "ffmpeg": {"$ref": "#/components/schemas/SystemConfigFFmpegDto"},
            "image": {"$ref": "#/components/schemas/SystemConfigImageDto"},
            "job": {"$ref": "#/components/schemas/SystemConfigJobDto"},
            "library": {"$ref": "#/components/schemas/SystemConfigLibraryDto"},
            "logging": {"$ref": "#/components/schemas/SystemConfigLoggingDto"},
            "machineLearning": {"$ref": "#/components/schemas/SystemConfigMachineLearningDto"},
            "map": {"$ref": "#/components/schemas/SystemConfigMapDto"},
            "metadata": {"$ref": "#/components/schemas/SystemConfigMetadataDto"},
            "newVersionCheck": {"$ref": "#/components/schemas/SystemConfigNewVersionCheckDto"},
            "nightlyTasks": {"$ref": "#/components/schemas/SystemConfigNightlyTasksDto"},
            "notifications": {"$ref": "#/components/schemas/SystemConfigNotificationsDto"},
            "oauth": {"$ref": "#/components/schemas/SystemConfigOAuthDto"},
            "passwordLogin": {"$ref": "#/components/schemas/SystemConfigPasswordLoginDto"},
            "reverseGeocoding": {"$ref": "#/components/schemas/SystemConfigReverseGeocodingDto"},
            "server": {"$ref": "#/components/schemas/SystemConfigServerDto"},
            "storageTemplate": {"$ref": "#/components/schemas/SystemConfigStorageTemplateDto"},
            "templates": {"$ref": "#/components/schemas/SystemConfigTemplatesDto"},
            "theme": {"$ref": "#/components/schemas/SystemConfigThemeDto"},
            "trash": {"$ref": "#/components/schemas/SystemConfigTrashDto"},
            "user": {"$ref": "#/components/schemas/SystemConfigUserDto"},
        },
        "required": [
            "backup",
            "ffmpeg",
            "image",
            "job",
            "library",
            "logging",
            "machineLearning",
            "map",
            "metadata",
            "newVersionCheck",
            "nightlyTasks",
            "notifications",
            "oauth",
            "passwordLogin",
            "reverseGeocoding",
            "server",
            "storageTemplate",
            "templates",
            "theme",
            "trash",
            "user",
        ],
        "type": "object",
    },
    "SystemConfigFFmpegDto": {
        "properties": {
            "accel": {"allOf": [{"$ref": "#/components/schemas/TranscodeHWAccel"}]},
            "accelDecode": {"type": "boolean"},
            "acceptedAudioCodecs": {"items": {"$ref": "#/components/schemas/AudioCodec"}, "type": "array"},
            "acceptedContainers": {"items": {"$ref": "#/components/schemas/VideoContainer"}, "type": "array"},
            "acceptedVideoCodecs": {"items": {"$ref": "#/components/schemas/VideoCodec"}, "type": "array"},
            "bframes": {"maximum": 16, "minimum": -1, "type": "integer"},
            "cqMode": {"allOf": [{"$ref": "#/components/schemas/CQMode"}]},
            "crf": {"maximum": 51, "minimum": 0, "type": "integer"},
            "gopSize": {"minimum": 0, "type": "integer"},
            "maxBitrate": {"type": "string"},
            "preferredHwDevice": {"type": "string"},
            "preset": {"type": "string"},
            "refs": {"maximum": 6, "minimum": 0, "type": "integer"},
            "targetAudioCodec": {"allOf": [{"$ref": "#/components/schemas/AudioCodec"}]},
            "targetResolution": {"type": "string"},
            "targetVideoCodec": {"allOf": [{"$ref": "#/components/schemas/VideoCodec"}]},
            "temporalAQ": {"type": "boolean"},
            "threads": {"minimum": 0, "type": "integer"},
            "tonemap": {"allOf": [{"$ref": "#/components/schemas/ToneMapping"}]},
            "transcode": {"allOf": [{"$ref": "#/components/schemas/TranscodePolicy"}]},
            "twoPass": {"type": "boolean"},
        },
        "required": [
            "accel",
            "accelDecode",
            "acceptedAudioCodecs",
            "acceptedContainers",
            "acceptedVideoCodecs",
            "bframes",
            "cqMode",
            "crf",
            "gopSize",
            "maxBitrate",
            "preferredHwDevice",
            "preset",
            "refs",
            "targetAudioCodec",
            "targetResolution",
            "targetVideoCodec",
            "temporalAQ",
            "threads",
            "tonemap",
            "transcode",
            "twoPass",
        ],
        "type": "object",
    },
    "SystemConfigFacesDto": {
        "properties": {"import": {"type": "boolean"}},
        "required": ["import"],
        "type": "object",
    },
    "SystemConfigGeneratedFullsizeImageDto": {
        "properties": {
            "enabled": {"type": "boolean"},
            "format": {"allOf": [{"$ref": "#/components/schemas/ImageFormat"}]},
            "progressive": {"default": False, "type": "boolean"},
            "quality": {"maximum": 100, "minimum": 1, "type": "integer"},
        },
        "required": ["enabled", "format", "quality"],
        "type": "object",
    },
    "SystemConfigGeneratedImageDto": {
        "properties": {
            "format": {"allOf": [{"$ref": "#/components/schemas/ImageFormat"}]},
            "progressive": {"default": False, "type": "boolean"},
            "quality": {"maximum": 100, "minimum": 1, "type": "integer"},
            "size": {"minimum": 1, "type": "integer"},
        },
        "required": ["format", "quality", "size"],
        "type": "object",
    },
    "SystemConfigImageDto": {
        "properties": {
            "colorspace": {"allOf": [{"$ref": "#/components/schemas/Colorspace"}]},
            "extractEmbedded": {"type": "boolean"},
            "fullsize": {"$ref": "#/components/schemas/SystemConfigGeneratedFullsizeImageDto"},
            "preview": {"$ref": "#/components/schemas/SystemConfigGeneratedImageDto"},
            "thumbnail": {"$ref": "#/components/schemas/SystemConfigGeneratedImageDto"},
        },
        "required": ["colorspace", "extractEmbedded", "fullsize", "preview", "thumbnail"],
        "type": "object",
    },
    "SystemConfigJobDto": {
        "properties": {
            "backgroundTask": {"$ref": "#/components/schemas/JobSettingsDto"},
            "editor": {"$ref": "#/components/schemas/JobSettingsDto"},
            "faceDetection": {"$ref": "#/components/schemas/JobSettingsDto"},
            "library": {"$ref": "#/components/schemas/JobSettingsDto"},
            "metadataExtraction": {"$ref": "#/components/schemas/JobSettingsDto"},
            "migration": {"$ref": "#/components/schemas/JobSettingsDto"},
            "notifications": {"$ref": "#/components/schemas/JobSettingsDto"},
            "ocr": {"$ref": "#/components/schemas/JobSettingsDto"},
            "search": {"$ref": "#/components/schemas/JobSettingsDto"},
            "sidecar": {"$ref": "#/components/schemas/JobSettingsDto"},
            "smartSearch": {"$ref": "#/components/schemas/JobSettingsDto"},
            "thumbnailGeneration": {"$ref": "#/components/schemas/JobSettingsDto"},
            "videoConversion": {"$ref": "#/components/schemas/JobSettingsDto"},
            "workflow": {"$ref": "#/components/schemas/JobSettingsDto"},
        },
        "required": [
            "backgroundTask",
            "editor",
            "faceDetection",
            "library",
            "metadataExtraction",
            "migration",
            "notifications",
            "ocr",
            "search",
            "sidecar",
            "smartSearch",
            "thumbnailGeneration",
            "videoConversion",
            "workflow",
        ],
        "type": "object",
    },
    "SystemConfigLibraryDto": {
        "properties": {
            "scan": {"$ref": "#/components/schemas/SystemConfigLibraryScanDto"},
            "watch": {"$ref": "#/components/schemas/SystemConfigLibraryWatchDto"},
        },
        "required": ["scan", "watch"],
        "type": "object",
    },
    "SystemConfigLibraryScanDto": {
        "properties": {"cronExpression": {"type": "string"}, "enabled": {"type": "boolean"}},
        "required": ["cronExpression", "enabled"],
        "type": "object",
    },
    "SystemConfigLibraryWatchDto": {
        "properties": {"enabled": {"type": "boolean"}},
        "required": ["enabled"],
        "type": "object",
    },
    "SystemConfigLoggingDto": {
        "properties": {
            "enabled": {"type": "boolean"},
            "level": {"allOf": [{"$ref": "#/components/schemas/LogLevel"}]},
        },
        "required": ["enabled", "level"],
        "type": "object",
    },
    "SystemConfigMachineLearningDto": {
        "properties": {
            "availabilityChecks": {"$ref": "#/components/schemas/MachineLearningAvailabilityChecksDto"},
            "clip": {"$ref": "#/components/schemas/CLIPConfig"},
            "duplicateDetection": {"$ref": "#/components/schemas/DuplicateDetectionConfig"},
            "enabled": {"type": "boolean"},
            "facialRecognition": {"$ref": "#/components/schemas/FacialRecognitionConfig"},
            "ocr": {"$ref": "#/components/schemas/OcrConfig"},
            "urls": {
                "format": "uri",
                "items": {"format": "uri", "type": "string"},
                "minItems": 1,
                "type": "array",
            },
        },
        "required": [
            "availabilityChecks",
            "clip",
            "duplicateDetection",
            "enabled",
            "facialRecognition",
            "ocr",
            "urls",
        ],
        "type": "object",
    },
    "SystemConfigMapDto": {
        "properties": {
            "darkStyle": {"format": "uri", "type": "string"},
            "enabled": {"type": "boolean"},
            "lightStyle": {"format": "uri", "type": "string"},
        },
        "required": ["darkStyle", "enabled", "lightStyle"],
        "type": "object",
    },
    "SystemConfigMetadataDto": {
        "properties": {"faces": {"$ref": "#/components/schemas/SystemConfigFacesDto"}},
        "required": ["faces"],
        "type": "object",
    },
    "SystemConfigNewVersionCheckDto": {
        "properties": {"enabled": {"type": "boolean"}},
        "required": ["enabled"],
        "type": "object",
    },
    "SystemConfigNightlyTasksDto": {
        "properties": {
            "clusterNewFaces": {"type": "boolean"},
            "databaseCleanup": {"type": "boolean"},
            "generateMemories": {"type": "boolean"},
            "missingThumbnails": {"type": "boolean"},
            "startTime": {"type": "string"},
            "syncQuotaUsage": {"type": "boolean"},
        },
        "required": [
            "clusterNewFaces",
            "databaseCleanup",
            "generateMemories",
            "missingThumbnails",
            "startTime",
            "syncQuotaUsage",
        ],
        "type": "object",
    },
    "SystemConfigNotificationsDto": {
        "properties": {"smtp": {"$ref": "#/components/schemas/SystemConfigSmtpDto"}},
        "required": ["smtp"],
        "type": "object",
    },
    "SystemConfigOAuthDto": {
        "properties": {
            "autoLaunch": {"type": "boolean"},
            "autoRegister": {"type": "boolean"},
            "buttonText": {"type": "string"},
            "clientId": {"type": "string"},
            "clientSecret": {"type": "string"},
            "defaultStorageQuota": {"format": "int64", "minimum": 0, "nullable": True, "type": "integer"},
            "enabled": {"type": "boolean"},
            "issuerUrl": {"type": "string"},
            "mobileOverrideEnabled": {"type": "boolean"},
            "mobileRedirectUri": {"format": "uri", "type": "string"},
            "profileSigningAlgorithm": {"type": "string"},
            "roleClaim": {"type": "string"},
            "scope": {"type": "string"},
            "signingAlgorithm": {"type": "string"},
            "storageLabelClaim": {"type": "string"},
            "storageQuotaClaim": {"type": "string"},
            "timeout": {"minimum": 1, "type": "integer"},
            "tokenEndpointAuthMethod": {
                "allOf": [{"$ref": "#/components/schemas/OAuthTokenEndpointAuthMethod"}]
            },
        },
        "required": [
            "autoLaunch",
            "autoRegister",
            "buttonText",
            "clientId",
            "clientSecret",
            "defaultStorageQuota",
            "enabled",
            "issuerUrl",
            "mobileOverrideEnabled",
            "mobileRedirectUri",
            "profileSigningAlgorithm",
            "roleClaim",
            "scope",
            "signingAlgorithm",
            "storageLabelClaim",
            "storageQuotaClaim",
            "timeout",
            "tokenEndpointAuthMethod",
        ],
        "type": "object",
    },
    "SystemConfigPasswordLoginDto": {
        "properties": {"enabled": {"type": "boolean"}},
        "required": ["enabled"],
        "type": "object",
    },
    "SystemConfigReverseGeocodingDto": {
        "properties": {"enabled": {"type": "boolean"}},
        "required": ["enabled"],
        "type": "object",
    },
    "SystemConfigServerDto": {
        "properties": {
            "externalDomain": {"format": "uri", "type": "string"},
            "loginPageMessage": {"type": "string"},
            "publicUsers": {"type": "boolean"},
        },
        "required": ["externalDomain", "loginPageMessage", "publicUsers"],
        "type": "object",
    },
    "SystemConfigSmtpDto": {
        "properties": {
            "enabled": {"type": "boolean"},
            "from": {"type": "string"},
            "replyTo": {"type": "string"},
            "transport": {"$ref": "#/components/schemas/SystemConfigSmtpTransportDto"},
        },
        "required": ["enabled", "from", "replyTo", "transport"],
        "type": "object",
    },
    "SystemConfigSmtpTransportDto": {
        "properties": {
            "host": {"type": "string"},
            "ignoreCert": {"type": "boolean"},
            "password": {"type": "string"},
            "port": {"maximum": 65535, "minimum": 0, "type": "number"},
            "secure": {"type": "boolean"},
            "username": {"type": "string"},
        },
        "required": ["host", "ignoreCert", "password", "port", "secure", "username"],
        "type": "object",
    },
    "SystemConfigStorageTemplateDto": {
        "properties": {
            "enabled": {"type": "boolean"},
            "hashVerificationEnabled": {"type": "boolean"},
            "template": {"type": "string"},
        },
        "required": ["enabled", "hashVerificationEnabled", "template"],
        "type": "object",
    },
    "SystemConfigTemplateEmailsDto": {
        "properties": {
            "albumInviteTemplate": {"type": "string"},
            "albumUpdateTemplate": {"type": "string"},
            "welcomeTemplate": {"type": "string"},
        },
        "required": ["albumInviteTemplate", "albumUpdateTemplate", "welcomeTemplate"],
        "type": "object",
    },
    "SystemConfigTemplatesDto": {
        "properties": {"email": {"$ref": "#/components/schemas/SystemConfigTemplateEmailsDto"}},
        "required": ["email"],
        "type": "object",
    },
    "SystemConfigThemeDto": {
        "properties": {"customCss": {"type": "string"}},
        "required": ["customCss"],
        "type": "object",
    },
    "SystemConfigTrashDto": {
        "properties": {"days": {"minimum": 0, "type": "integer"}, "enabled": {"type": "boolean"}},
        "required": ["days", "enabled"],
        "type": "object",
    },
    "SystemConfigUserDto": {
        "properties": {"deleteDelay": {"minimum": 1, "type": "integer"}},
        "required": ["deleteDelay"],
        "type": "object",
    },
    "ToneMapping": {"enum": ["hable", "mobius", "reinhard", "disabled"], "type": "string"},
    "TranscodeHWAccel": {"enum": ["nvenc", "qsv", "vaapi", "rkmpp", "disabled"], "type": "string"},
    "TranscodePolicy": {"enum": ["all", "optimal", "bitrate", "required", "disabled"], "type": "string"},
    "VideoCodec": {"enum": ["h264", "hevc", "vp9", "av1"], "type": "string"},
    "VideoContainer": {"enum": ["mov", "mp4", "ogg", "webm"], "type": "string"},
}

ROOT: Final = "SystemConfigDto"
_INT64: Final = 2**63 - 1
"""Largest magnitude stored: JSON encoders (and Immich's own int64 fields) stop there."""

_TYPE_MESSAGES: Final[dict[str, str]] = {
    "boolean": "must be a boolean value",
    "string": "must be a string",
    "integer": "must be an integer number",
    "number": "must be a number conforming to the specified constraints",
    "array": "must be an array",
    "object": "must be an object",
}


def validate(value: Any) -> tuple[dict[str, Any], list[str]]:
    """(the config with unknown properties dropped, class-validator messages); no messages
    means the config is valid."""
    problems: list[str] = []
    cleaned = _check({"$ref": f"#/components/schemas/{ROOT}"}, value, "", problems)
    if not isinstance(cleaned, dict):
        return {}, problems
    if not problems:
        _refine(cleaned, problems)
    return cleaned, problems


_CRON = re.compile(r"(((\d+,)+\d+|(\d+(\/|-)\d+)|\d+|\*) ?){5,7}")
"""Immich's loose check of a cron expression (five to seven fields)."""
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _refine(config: dict[str, Any], problems: list[str]) -> None:
    """Immich's checks beyond the schema, on a config that already matches it: cron
    expressions and the nightly start time are parsed by its schedulers, and `libopus` is
    stored as its alias `opus`."""
    for section, name in (("backup", "database"), ("library", "scan")):
        if not _CRON.search(config[section][name]["cronExpression"]):
            problems.append("Invalid cron expression")
    if not _TIME.match(config["nightlyTasks"]["startTime"]):
        problems.append("startTime must be in HH:mm format")
    ffmpeg = config["ffmpeg"]
    ffmpeg["acceptedAudioCodecs"] = [
        "opus" if codec == "libopus" else codec for codec in ffmpeg["acceptedAudioCodecs"]
    ]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow `$ref` and single-member `allOf` (how enums are referenced) to the real schema."""
    while True:
        if "$ref" in schema:
            schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]]
        elif "allOf" in schema and len(schema["allOf"]) == 1:
            schema = {**{k: v for k, v in schema.items() if k != "allOf"}, **_resolve(schema["allOf"][0])}
        else:
            return schema


def _name(path: str) -> str:
    return path or "body"


def _check(schema: dict[str, Any], value: Any, path: str, problems: list[str]) -> Any:
    """The cleaned value, appending a message per problem found at or below `path`."""
    nullable = bool(schema.get("nullable"))
    schema = _resolve(schema)
    if value is None and nullable:
        return None
    kind = schema.get("type")
    if kind == "boolean" and value in ("true", "false"):
        value = value == "true"  # Immich accepts booleans sent as strings
    if not _is_type(kind, value):
        problems.append(f"{_name(path)} {_TYPE_MESSAGES.get(str(kind), 'is invalid')}")
        return value
    if kind == "object":
        return _check_object(schema, value, path, problems)
    if kind == "array":
        return _check_array(schema, value, path, problems)
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{_name(path)} must be one of the following values: {', '.join(schema['enum'])}")
    if kind in ("integer", "number"):
        if abs(value) > _INT64:
            problems.append(f"{_name(path)} must not be greater than {_INT64}")
            return value
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(f"{_name(path)} must not be less than {_num(schema['minimum'])}")
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{_name(path)} must not be greater than {_num(schema['maximum'])}")
        return int(value) if kind == "integer" else value
    if schema.get("format") == "uri" and value != "" and not _is_url(value):
        problems.append(f"{_name(path)} must be a URL address")
    return value


def _check_object(schema: dict[str, Any], value: dict[str, Any], path: str, problems: list[str]) -> Any:
    required = set(schema.get("required", ()))
    cleaned: dict[str, Any] = {}
    for key, prop in schema.get("properties", {}).items():
        child = f"{path}.{key}" if path else key
        if key in value:
            cleaned[key] = _check(prop, value[key], child, problems)
        elif "default" in prop:
            cleaned[key] = prop["default"]
        elif key in required:
            _check(prop, _MISSING, child, problems)
    return cleaned


def _check_array(schema: dict[str, Any], value: list[Any], path: str, problems: list[str]) -> Any:
    minimum = schema.get("minItems")
    if minimum is not None and len(value) < minimum:
        problems.append(f"{_name(path)} must contain at least {minimum} elements")
    items = schema.get("items", {})
    item_format = schema.get("format") or items.get("format")
    cleaned = []
    for index, item in enumerate(value):
        cleaned.append(
            _check(
                {**items, "format": item_format} if item_format else items, item, f"{path}.{index}", problems
            )
        )
    return cleaned


class _Missing:
    """A required property that is absent: of no type, so it gets the type's message."""


_MISSING: Final = _Missing()


def _is_type(kind: object, value: Any) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return _is_number(value)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return not isinstance(value, _Missing)


def _is_number(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool)


def _num(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _is_url(value: str) -> bool:
    """An absolute URL with a host, as Immich's `@IsUrl` accepts (any scheme, no TLD needed)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return bool(parts.scheme) and bool(parts.netloc) and not any(c.isspace() for c in value)
