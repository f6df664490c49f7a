"""Password rules of our own (MLPS 2.0 level 3: complexity). Length, similarity to the username and the common
list are Django's validators (settings.AUTH_PASSWORD_VALIDATORS), whose messages Django translates."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

CLASSES = {
    "大写字母": str.isupper,
    "小写字母": str.islower,
    "数字": str.isdigit,
    "特殊符号": lambda c: not c.isalnum() and not c.isspace(),
}


def character_classes(password: str) -> int:
    return sum(1 for test in CLASSES.values() if any(test(c) for c in password))


class CharacterClassesValidator:
    """At least MIN_CLASSES of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                f"密码须至少包含大写字母、小写字母、数字、特殊符号中的 {self.min_classes} 类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"密码须至少包含大写字母、小写字母、数字、特殊符号中的 {self.min_classes} 类。"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with its message in Chinese (Django 5.2's zh-hans catalog lacks this message's new wording)."""

    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"
