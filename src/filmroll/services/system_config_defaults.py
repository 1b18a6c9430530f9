"""Immich's default system configuration, as `GET /api/system-config/defaults` answers it.

The values mirror Immich v2.7.5's built-in defaults (with the machine-learning service
enabled at its usual address), restricted to the fields of its `SystemConfigDto`, so an
admin screen that offers "reset to default" shows exactly what Immich would. The stored
configuration is these values deep-merged with what an admin saved: a later release that
changes a default moves every installation that never touched it.
"""

from __future__ import annotations

from typing import Any, Final

SYSTEM_CONFIG_DEFAULTS: Final[dict[str, Any]] = {
    "backup": {
        "database": {"enabled": True, "cronExpression": "0 02 * * *", "keepLastAmount": 14},
    },
    "ffmpeg": {
        "crf": 23,
        "threads": 0,
        "preset": "ultrafast",
        "targetVideoCodec": "h264",
        "acceptedVideoCodecs": ["h264"],
        "targetAudioCodec": "aac",
        "acceptedAudioCodecs": ["aac", "mp3", "opus"],
        "acceptedContainers": ["mov", "ogg", "webm"],
        "targetResolution": "720",
        "maxBitrate": "0",
        "bframes": -1,
        "refs": 0,
        "gopSize": 0,
        "temporalAQ": False,
        "cqMode": "auto",
        "twoPass": False,
        "preferredHwDevice": "auto",
        "transcode": "required",
        "tonemap": "hable",
        "accel": "disabled",
        "accelDecode": False,
    },
    "job": {
        "backgroundTask": {"concurrency": 5},
        "smartSearch": {"concurrency": 2},
        "metadataExtraction": {"concurrency": 5},
        "faceDetection": {"concurrency": 2},
        "search": {"concurrency": 5},
        "sidecar": {"concurrency": 5},
        "library": {"concurrency": 5},
        "migration": {"concurrency": 5},
        "thumbnailGeneration": {"concurrency": 3},
        "videoConversion": {"concurrency": 1},
        "notifications": {"concurrency": 5},
        "ocr": {"concurrency": 1},
        "workflow": {"concurrency": 5},
        "editor": {"concurrency": 2},
    },
    "logging": {"enabled": True, "level": "log"},
    "machineLearning": {
        "enabled": True,
        "urls": ["http://immich-machine-learning:3003"],
        "availabilityChecks": {"enabled": True, "timeout": 2000, "interval": 30000},
        "clip": {"enabled": True, "modelName": "ViT-B-32__openai"},
        "duplicateDetection": {"enabled": True, "maxDistance": 0.01},
        "facialRecognition": {
            "enabled": True,
            "modelName": "buffalo_l",
            "minScore": 0.7,
            "maxDistance": 0.5,
            "minFaces": 3,
        },
        "ocr": {
            "enabled": True,
            "modelName": "PP-OCRv5_mobile",
            "minDetectionScore": 0.5,
            "minRecognitionScore": 0.8,
            "maxResolution": 736,
        },
    },
    "map": {
        "enabled": True,
        "lightStyle": "https://tiles.immich.cloud/v1/style/light.json",
        "darkStyle": "https://tiles.immich.cloud/v1/style/dark.json",
    },
    "reverseGeocoding": {"enabled": True},
    "metadata": {"faces": {"import": False}},
    "oauth": {
        "autoLaunch": False,
        "autoRegister": True,
        "buttonText": "Login with OAuth",
        "clientId": "",
        "clientSecret": "",
        "defaultStorageQuota": None,
        "enabled": False,
        "issuerUrl": "",
        "mobileOverrideEnabled": False,
        "mobileRedirectUri": "",
        "scope": "openid email profile",
        "signingAlgorithm": "RS256",
        "profileSigningAlgorithm": "none",
        "storageLabelClaim": "preferred_username",
        "storageQuotaClaim": "immich_quota",
        "roleClaim": "immich_role",
        "tokenEndpointAuthMethod": "client_secret_post",
        "timeout": 30000,
    },
    "passwordLogin": {"enabled": True},
    "storageTemplate": {
        "enabled": False,
        "hashVerificationEnabled": True,
        "template": "{{y}}/{{y}}-{{MM}}-{{dd}}/{{filename}}",
    },
    "image": {
        "thumbnail": {"format": "webp", "size": 250, "quality": 80, "progressive": False},
        "preview": {"format": "jpeg", "size": 1440, "quality": 80, "progressive": False},
        "colorspace": "p3",
        "extractEmbedded": False,
        "fullsize": {"enabled": False, "format": "jpeg", "quality": 80, "progressive": False},
    },
    "newVersionCheck": {"enabled": True},
    "nightlyTasks": {
        "startTime": "00:00",
        "databaseCleanup": True,
        "generateMemories": True,
        "syncQuotaUsage": True,
        "missingThumbnails": True,
        "clusterNewFaces": True,
    },
    "trash": {"enabled": True, "days": 30},
    "theme": {"customCss": ""},
    "library": {
        "scan": {"enabled": True, "cronExpression": "0 0 * * *"},
        "watch": {"enabled": False},
    },
    "server": {"externalDomain": "", "loginPageMessage": "", "publicUsers": True},
    "notifications": {
        "smtp": {
            "enabled": False,
            "from": "",
            "replyTo": "",
            "transport": {
                "ignoreCert": False,
                "host": "",
                "port": 587,
                "secure": False,
                "username": "",
                "password": "",
            },
        },
    },
    "templates": {"email": {"welcomeTemplate": "", "albumInviteTemplate": "", "albumUpdateTemplate": ""}},
    "user": {"deleteDelay": 7},
}
"""Never mutated: readers get deep copies (`copy.deepcopy`)."""
