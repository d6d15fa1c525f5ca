from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "phongtrao.recognition"
    verbose_name = "Tiêu chuẩn An toàn về ANTT"
